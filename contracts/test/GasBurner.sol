// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CallForwarder} from "./CallForwarder.sol";

/**
 * @notice Test-only account whose receive burns all the gas it is given while `burning` is on, and
 * accepts ETH once it is turned off: a payee that blocks a push but can withdraw later.
 */
contract GasBurner is CallForwarder {
    bool public burning = true;

    function setBurning(bool on) external {
        burning = on;
    }

    // Why: burning every unit of gas is the attack under test.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        uint256 i;
        while (burning && gasleft() > 0) ++i;
    }
}
