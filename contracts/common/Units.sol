// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev 18-decimal fixed point: `UNIT` is one. Quantities and prices of the clearing market
/// (see {Settlement}) and the escrow's payout-table entries (multiples of the price) all use it.
uint256 constant UNIT = 1e18;
