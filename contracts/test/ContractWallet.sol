// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CallForwarder} from "./CallForwarder.sol";

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @notice Test-only smart-contract wallet (ERC-1271): a signature is valid when its owner EOA made
 * it over the hash. It forwards calls for its owner and accepts ETH.
 */
contract ContractWallet is IERC1271, CallForwarder {
    error NotOwner(address caller);

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @dev Only its owner forwards calls from this wallet.
    function _beforeExecute() internal view override {
        if (msg.sender != owner) revert NotOwner(msg.sender);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }

    receive() external payable {}
}
