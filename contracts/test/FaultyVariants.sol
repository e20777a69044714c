// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ClearingMarket} from "../clearing/ClearingMarket.sol";
import {ExchangeEscrow} from "../exchange/ExchangeEscrow.sol";

/// @notice Test-only: a market whose price update is off by one wei. The auditor must flag it.
contract WrongPriceMarket is ClearingMarket {
    constructor(InitConfig memory cfg) ClearingMarket(cfg) {}

    function _nextPrice(
        Params memory p,
        uint256 round,
        uint256 mu,
        int256 excess,
        uint256 participants
    ) internal override returns (uint256 nextMu, bool collapsed) {
        (nextMu, collapsed) = super._nextPrice(p, round, mu, excess, participants);
        nextMu += 1;
    }
}

/// @notice Test-only: a market that overcharges a rationed allocation by one wei of fee.
contract OverchargingMarket is ClearingMarket {
    constructor(InitConfig memory cfg) ClearingMarket(cfg) {}

    function _settlementCharge(
        uint256 demand,
        uint256 quantity,
        uint256 tau,
        uint256 mu,
        uint256 fixedFee
    ) internal view override returns (uint256 fee, uint256 revenue) {
        (fee, revenue) = super._settlementCharge(demand, quantity, tau, mu, fixedFee);
        if (quantity < demand) fee += 1;
    }
}

/// @notice Test-only: an escrow that pays the seller one wei off its table (taken from the burn).
contract OffTableEscrow is ExchangeEscrow {
    constructor(address owner, address burnRecipient_) ExchangeEscrow(owner, burnRecipient_) {}

    function _share(uint256 fraction, uint256 price, bool seller) internal pure override returns (uint256) {
        uint256 share = super._share(fraction, price, seller);
        return seller && share != 0 ? share + 1 : share;
    }
}

/// @notice Test-only: an escrow that pushes 90 % of each payout its books record; the rest stays in it, owed to nobody.
contract ShortPayingEscrow is ExchangeEscrow {
    constructor(address owner, address burnRecipient_) ExchangeEscrow(owner, burnRecipient_) {}

    function _pay(bytes32 id, address asset, address to, uint256 amount) internal override {
        super._pay(id, asset, to, (amount * 9) / 10);
    }
}

/// @notice Test-only: an escrow that pushes 110 % of each payout its books record, out of other deals' money.
contract OverPayingEscrow is ExchangeEscrow {
    constructor(address owner, address burnRecipient_) ExchangeEscrow(owner, burnRecipient_) {}

    function _pay(bytes32 id, address asset, address to, uint256 amount) internal override {
        super._pay(id, asset, to, (amount * 11) / 10);
    }
}
