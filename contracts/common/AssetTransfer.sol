// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/**
 * @title AssetTransfer
 * @notice Moves one payment asset, native ETH (`address(0)`) or an ERC-20, in and out of a
 * contract. Incoming amounts are the balance actually received, so a fee-on-transfer token
 * is credited what arrived, never what was asked for. {pushOut} forwards all gas and reverts on
 * failure: callers are pull-payment functions behind a reentrancy guard that update their books
 * before calling here. {tryPushOut} is the push of a push-with-pull-fallback: it limits the gas,
 * reads at most one word of what the receiver returns, and reports failure instead of reverting.
 */
library AssetTransfer {
    using SafeERC20 for IERC20;

    /// @notice `msg.value` does not match what the call says it pays (or is non-zero for a token).
    error WrongNativeValue(uint256 expected, uint256 sent);
    /// @notice A native transfer to `to` failed.
    error NativeTransferFailed(address to, uint256 amount);
    /// @notice `asset` is neither native ETH (`address(0)`) nor a contract: it cannot be an ERC-20.
    error UnsupportedAsset(address asset);

    /// @notice Refuses, at market or deal creation, an asset that no transfer could ever move.
    function requireSupported(address asset) internal view {
        if (asset != address(0) && asset.code.length == 0) revert UnsupportedAsset(asset);
    }

    /**
     * @notice Takes `amount` of `asset` from `from` and returns what this contract received.
     * @dev For native ETH the value must already be attached to the call as `msg.value`.
     */
    function pullIn(address asset, address from, uint256 amount) internal returns (uint256 received) {
        if (asset == address(0)) {
            if (msg.value != amount) revert WrongNativeValue(amount, msg.value);
            return amount;
        }
        if (msg.value != 0) revert WrongNativeValue(0, msg.value);
        if (amount == 0) return 0;
        IERC20 token = IERC20(asset);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        return token.balanceOf(address(this)) - before;
    }

    /// @notice Tokens need more gas than a native transfer (a first balance slot, a proxy).
    uint256 internal constant TOKEN_GAS_FACTOR = 3;

    /**
     * @notice Tries to send `amount` of `asset` to `to` with at most `gasLimit` gas (three times it
     * for a token) and returns whether it arrived; never reverts, whatever the receiver or token does.
     * @dev A token call succeeds when it does not revert and returns nothing or a true word, as
     * SafeERC20 has it. Return data is never copied beyond one word, so a receiver cannot make the
     * caller pay for a large return.
     */
    function tryPushOut(address asset, address to, uint256 amount, uint256 gasLimit) internal returns (bool ok) {
        if (asset == address(0)) {
            // Why assembly: a call that copies no return data, so a receiver cannot make us pay for one.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                ok := call(gasLimit, to, amount, 0, 0, 0, 0)
            }
            return ok;
        }
        bytes memory data = abi.encodeCall(IERC20.transfer, (to, amount));
        uint256 returned;
        uint256 size;
        // Why assembly: at most one word of return data is copied, whatever the token returns.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := call(mul(gasLimit, TOKEN_GAS_FACTOR), asset, 0, add(data, 0x20), mload(data), 0, 0x20)
            size := returndatasize()
            returned := mload(0)
        }
        return ok && (size == 0 ? asset.code.length > 0 : size >= 32 && returned == 1);
    }

    /// @notice Sends `amount` of `asset` to `to`.
    function pushOut(address asset, address to, uint256 amount) internal {
        if (amount == 0) return;
        if (asset == address(0)) {
            // slither-disable-next-line arbitrary-send-eth
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert NativeTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }
}
