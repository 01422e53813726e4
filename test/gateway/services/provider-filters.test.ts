import { expect } from "chai";
import type { GraphQLError } from "graphql";
import type { ProviderFilter } from "../../../gateway/src/generated/graphql";
import { providerFilterWhere } from "../../../gateway/src/services/provider-filters";

describe("provider filters", function () {
  it("refuses filter.minGpusFree out of 0 to 65535 with BAD_USER_INPUT naming it, and takes both ends", function () {
    for (const minGpusFree of [-1, 65_536]) {
      let caught: unknown = null;
      try {
        providerFilterWhere({ minGpusFree } as ProviderFilter, "1");
      } catch (error) {
        caught = error;
      }
      expect((caught as GraphQLError | null)?.extensions, String(minGpusFree)).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.minGpusFree" });
    }
    for (const minGpusFree of [0, 65_535]) {
      expect(() => providerFilterWhere({ minGpusFree } as ProviderFilter, "1"), String(minGpusFree)).to.not.throw();
    }
  });
});
