// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CallForwarder} from "./CallForwarder.sol";

/// @notice Test-only account that calls back into a target when it receives ETH or a token's
/// transfer hook, and records whether the callback reverted. With `rejectPayments` it refuses
/// ETH outright. As a contract wallet it signs (ERC-1271) the hashes approved with {approveHash}.
contract ReentrantReceiver is CallForwarder {
    error Rejected();

    /// @notice Hashes this wallet has signed (test-only: anyone may approve one).
    mapping(bytes32 hash => bool) public approvedHashes;

    address public callTarget;
    bytes public callback;
    bool public rejectPayments;
    bool public callbackReverted;
    bytes public callbackError;

    function configure(address target_, bytes calldata callback_, bool reject) external {
        callTarget = target_;
        callback = callback_;
        rejectPayments = reject;
    }

    function approveHash(bytes32 hash) external {
        approvedHashes[hash] = true;
    }

    /// @notice ERC-1271: a hash is signed when approved, whatever the signature bytes.
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        return approvedHashes[hash] ? this.isValidSignature.selector : bytes4(0xffffffff);
    }

    // Why: the reentrancy probe is the point of this mock.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (rejectPayments) revert Rejected();
        _callBack();
    }

    /// @notice The transfer hook of `CallbackERC20`.
    function onTokenReceived(address, uint256) external {
        _callBack();
    }

    function _callBack() private {
        if (callback.length != 0) {
            // Why: re-enters the target with recorded calldata.
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = callTarget.call(callback);
            callbackReverted = !ok;
            callbackError = ret;
        }
    }
}

/// @notice Test-only account whose receive burns all the gas it is given (a gas bomb).
contract GasBombReceiver {
    /// @notice Forwards a call from this contract (to join, submit, withdraw as a party).
    function execute(address to, uint256 value, bytes calldata data) external payable {
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
    }

    // Why: burning every unit of gas is the attack under test.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        uint256 i;
        while (gasleft() > 0) ++i;
    }
}
