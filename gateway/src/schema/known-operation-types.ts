// graphql-js 16 validates a mutation against a schema without a Mutation type (this one: the gateway only reads) and
// throws only when it runs it, an uncoded error that the error policy answers "internal error". graphql-js 17 refuses it
// in validation (KnownOperationTypesRule); so does this rule, in words a dApp developer can act on.
import { GraphQLError, type ValidationRule } from "graphql";

export const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== "mutation" || context.getSchema().getMutationType()) return;
    context.reportError(
      new GraphQLError(
        "mutation: this API only reads and has no mutations; a job is posted by the client's own transaction " +
          "(JobEscrow.createJob, with the terms an offer's jobTerms gives), and followed with the jobUpdated subscription",
        { nodes: [node] },
      ),
    );
  },
});
