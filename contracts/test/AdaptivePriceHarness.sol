// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AdaptivePrice} from "../clearing/AdaptivePrice.sol";

/// @notice Test-only: exposes the adaptive price rule for differential tests against the model.
contract AdaptivePriceHarness {
    // Why: the library updates the bracket in memory, and the harness returns the updated copy.
    // solhint-disable-next-line gas-calldata-parameters
    function update(
        AdaptivePrice.Bracket memory b,
        uint256 mu,
        int256 excess,
        AdaptivePrice.Observation calldata previous,
        AdaptivePrice.Context calldata ctx
    ) external pure returns (uint256 nextMu, bool collapsed, AdaptivePrice.Bracket memory after_) {
        (nextMu, collapsed) = AdaptivePrice.update(b, mu, excess, previous, ctx);
        after_ = b;
    }

    function empty() external pure returns (AdaptivePrice.Bracket memory) {
        return AdaptivePrice.empty();
    }
}
