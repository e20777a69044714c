// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @notice Test-only account whose receive burns all the gas it is given while `burning` is on, and
 * accepts ETH once it is turned off: a payee that blocks a push but can withdraw later.
 */
contract GasBurner {
    bool public burning = true;

    function setBurning(bool on) external {
        burning = on;
    }

    /// @notice Forwards a call (with value) from this account.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // Why: a test account forwards arbitrary calls.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            // Why: bubbles the callee's revert data unchanged.
            // solhint-disable-next-line no-inline-assembly
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    // Why: burning every unit of gas is the attack under test.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        uint256 i;
        while (burning && gasleft() > 0) ++i;
    }
}
