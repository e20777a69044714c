// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {UNIT} from "../common/Units.sol";

/**
 * @title Settlement
 * @notice What an agent receives and pays for one round of the clearing market.
 *
 * Units: quantities (demand `x`, capacity `m`, total demand `S`) are 18-decimal fixed point,
 * `1e18` = one unit of the resource. Prices (`tau`, `mu`) are asset base units per unit of
 * resource, also scaled by `1e18`, so `price * x / 1e18` is an amount in asset base units.
 * The fixed fee `g` is an amount in asset base units.
 *
 * Rounding: an allocation rounds down (the sum of allocations never exceeds `m`); a charge
 * rounds up (the protocol is never short of a fraction of a base unit). Fee (`tau`) and
 * congestion revenue (`mu`) are rounded separately, because they go to different recipients.
 */
library Settlement {
    /**
     * @notice Pro-rata allocation: `x` when capacity is slack, `x * m / S` (rounded down) when
     * total demand `S` exceeds capacity `m`. Independent of the order of submissions.
     */
    function allocation(uint256 demand, uint256 totalDemand, uint256 capacity) internal pure returns (uint256) {
        if (totalDemand <= capacity) return demand;
        return Math.mulDiv(demand, capacity, totalDemand);
    }

    /**
     * @notice The charge for `quantity` units at per-unit fee `tau` and shadow price `mu`,
     * plus the fixed fee `g` when the agent's demand `demand` is positive.
     * @return fee Protocol fee: `ceil(tau * quantity) + g`, or 0 for a zero demand.
     * @return revenue Congestion revenue: `ceil(mu * quantity)`.
     */
    function charge(
        uint256 demand,
        uint256 quantity,
        uint256 tau,
        uint256 mu,
        uint256 fixedFee
    ) internal pure returns (uint256 fee, uint256 revenue) {
        if (demand == 0) return (0, 0);
        fee = Math.mulDiv(tau, quantity, UNIT, Math.Rounding.Ceil) + fixedFee;
        revenue = Math.mulDiv(mu, quantity, UNIT, Math.Rounding.Ceil);
    }
}
