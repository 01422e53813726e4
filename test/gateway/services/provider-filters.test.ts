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

  it("refuses filter.minVramGiB above 4096, the most a provider may list (no provider could match), with the range", function () {
    let caught: unknown = null;
    try {
      providerFilterWhere({ minVramGiB: 4097 } as ProviderFilter, "1");
    } catch (error) {
      caught = error;
    }
    expect((caught as GraphQLError | null)?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.minVramGiB", value: 4097, minimum: 0, maximum: 4096 });
    expect(() => providerFilterWhere({ minVramGiB: 4096 } as ProviderFilter, "1")).to.not.throw();
  });
});
