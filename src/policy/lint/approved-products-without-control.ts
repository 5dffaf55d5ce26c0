/**
 * Approved Marketplace products while scp.denyMarketplaceSubscribeViaBedrock is off: the list only relaxes that
 * statement, so without it the list changes nothing, and whoever wrote it believes other products are refused.
 */
import { lintCheck } from "./check";

export const approvedProductsWithoutControl = lintCheck({
  codes: ["approved-products-without-control"],
  run: ({ guardrail }) => {
    const { approvedMarketplaceProductIds, denyMarketplaceSubscribeViaBedrock } = guardrail.config.scp;
    if (approvedMarketplaceProductIds.length === 0 || denyMarketplaceSubscribeViaBedrock) return [];
    return [
      {
        level: "warning",
        code: "approved-products-without-control",
        message:
          "scp.approvedMarketplaceProductIds has no effect while scp.denyMarketplaceSubscribeViaBedrock is false: " +
          "every product's subscription via Bedrock is already allowed",
      },
    ];
  },
});
