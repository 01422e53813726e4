// The list inputs' refusals carry what was sent and the bound, as the range refusals do (`value`, `maximum`).
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { gpuModelList } from "../../../gateway/src/services/inputs";

describe("list inputs", function () {
  it("refuses an empty list with the empty list in extensions.value", function () {
    let refused: unknown;
    try {
      gpuModelList([], "filter.gpuModels");
    } catch (error) {
      refused = error;
    }
    expect((refused as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.gpuModels", value: [] });
  });

  it("refuses more than 50 values with the count sent and the maximum in extensions", function () {
    const models = Array.from({ length: 51 }, (_, i) => `gpu-${i}`);
    let refused: unknown;
    try {
      gpuModelList(models, "filter.gpuModels");
    } catch (error) {
      refused = error;
    }
    expect((refused as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.gpuModels", value: 51, maximum: 50 });
    expect((refused as GraphQLError).message).to.equal("filter.gpuModels: at most 50 values (got 51)");
    expect(gpuModelList(models.slice(0, 50), "filter.gpuModels")).to.have.length(50);
  });
});
