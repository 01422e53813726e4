// graphql-ws publishes `graphql-ws/use/ws` through package.json "exports", which the repository's
// moduleResolution ("node") does not read; Node itself resolves it at run time. Point the types at the file.
declare module "graphql-ws/use/ws" {
  export * from "graphql-ws/dist/use/ws";
}
