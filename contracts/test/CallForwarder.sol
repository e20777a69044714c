// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only: an account that forwards calls (with value) from its own address, bubbling a
/// callee's revert data unchanged. `_beforeExecute` lets a wallet restrict who may use it.
abstract contract CallForwarder {
    /// @notice Forwards a call (with value) from this account.
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        _beforeExecute();
        return _forward(to, value, data);
    }

    /// @notice Forwards several calls in one transaction, in order, as a smart account's batch does.
    function executeBatch(address[] calldata to, uint256[] calldata value, bytes[] calldata data) external payable {
        _beforeExecute();
        for (uint256 i = 0; i < to.length; ++i) _forward(to[i], value[i], data[i]);
    }

    function _forward(address to, uint256 value, bytes calldata data) private returns (bytes memory) {
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

    /// @dev Anyone may forward by default (a test account); a wallet overrides this.
    // solhint-disable-next-line no-empty-blocks
    function _beforeExecute() internal view virtual {}
}
