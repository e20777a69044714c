// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title PackedTerms
 * @notice A deal's terms in four words, as every escrow call takes them and every event carries
 * them: an honest trade passes them three times, and twelve padded words cost each call about a
 * thousand gas more in calldata and decoding than four dense ones. The payout table is named by
 * its registration number in this escrow (32 bits), not by its 32-byte content hash: every call
 * would pay about 500 gas of calldata for the hash.
 *
 * | word | bits 0-159 | above |
 * | ---- | ---------- | ----- |
 * | 0    | seller     | expiry (40) at 160, redeemWindow (32) at 200, sellerOffers (1) at 232, fromWallet (1) at 233 |
 * | 1    | buyer      | complaintWindow (32) at 160, faultWindow (32) at 192, burnSetting (32) at 224 |
 * | 2    | asset      | salt (96) at 160 |
 * | 3    | price (bits 0-127) | table (32) at 128 |
 *
 * Every other bit is zero in a canonical packing; {isCanonical} says whether it is, and a deal is
 * only created from a canonical one. The id hashes the fields, not the words, so a later call with
 * another packing of the same fields reaches the same deal with the same fields: harmless, and
 * cheaper than checking every call. What an offerer signs is the unpacked {TERMS_TYPE} (EIP-712).
 */
library PackedTerms {
    string internal constant TERMS_TYPE =
        "Terms(address seller,address buyer,address asset,uint128 price,uint32 table,uint40 expiry,"
        "uint32 redeemWindow,uint32 complaintWindow,uint32 faultWindow,bool sellerOffers,uint96 salt,"
        "uint32 burnSetting,"
        "bool fromWallet)";
    bytes32 internal constant TERMS_TYPEHASH = keccak256(bytes(TERMS_TYPE));

    uint256 private constant ADDRESS = type(uint160).max;
    /// @dev The bits words 0 and 3 may use; words 1 and 2 use all.
    uint256 private constant USED_0 = (uint256(1) << 234) - 1;
    uint256 private constant USED_3 = (uint256(1) << 160) - 1;

    function seller(bytes32[4] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[0]) & ADDRESS));
    }

    function buyer(bytes32[4] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[1]) & ADDRESS));
    }

    /// @notice The payment asset; address(0) is native ETH.
    function asset(bytes32[4] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[2]) & ADDRESS));
    }

    function price(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint128(uint256(t[3]));
    }

    /// @notice The payout table's registration number in the escrow (1 for the first table registered).
    function table(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[3]) >> 128);
    }

    /// @notice The offer can be accepted before this time (unix seconds), not at or after it.
    function expiry(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint40(uint256(t[0]) >> 160);
    }

    function redeemWindow(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[0]) >> 200);
    }

    function complaintWindow(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[1]) >> 160);
    }

    function faultWindow(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[1]) >> 192);
    }

    /**
     * @notice Whether a signed offer's offerer pays its part from its wallet by an EIP-2612 permit
     * (opened with `acceptSignedWithPermit`) rather than from its balance in the escrow (`acceptSigned`).
     */
    function fromWallet(bytes32[4] calldata t) internal pure returns (bool) {
        return (uint256(t[0]) >> 233) & 1 == 1;
    }

    /// @notice Whether the seller offers (and funds first); else the buyer does.
    function sellerOffers(bytes32[4] calldata t) internal pure returns (bool) {
        return (uint256(t[0]) >> 232) & 1 == 1;
    }

    /**
     * @notice The owner's burn-recipient setting (its index) the offerer agreed to: the deal's
     * remainder goes to that setting's recipient only if it is the setting in force when the deal is
     * created, else to the dead address.
     */
    function burnSetting(bytes32[4] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[1]) >> 224);
    }

    /// @notice The offerer (who funds first) and the counterparty.
    function parties(bytes32[4] calldata t) internal pure returns (address offerer, address counterparty) {
        return sellerOffers(t) ? (seller(t), buyer(t)) : (buyer(t), seller(t));
    }

    /// @notice Whether every bit outside the fields is zero.
    function isCanonical(bytes32[4] calldata t) internal pure returns (bool) {
        return uint256(t[0]) & ~USED_0 == 0 && uint256(t[3]) & ~USED_3 == 0;
    }

    /**
     * @notice The EIP-712 struct hash of the unpacked terms: `keccak256(abi.encode(TERMS_TYPEHASH,
     * seller, buyer, asset, price, table, expiry, redeemWindow, complaintWindow, faultWindow,
     * sellerOffers, salt, burnSetting, fromWallet))`, each field as its getter above reads it.
     * @dev Why assembly: every escrow call hashes the terms, and unpacking the words straight into
     * the hash's memory costs about a third of what twelve getter calls and `abi.encode` cost.
     */
    function structHash(bytes32[4] calldata t) internal pure returns (bytes32 hash) {
        bytes32 typeHash = TERMS_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let w0 := calldataload(t)
            let w1 := calldataload(add(t, 0x20))
            let w2 := calldataload(add(t, 0x40))
            let w3 := calldataload(add(t, 0x60))
            let addressMask := sub(shl(160, 1), 1)
            let m := mload(0x40) // scratch past the free memory pointer, not kept
            mstore(m, typeHash)
            mstore(add(m, 0x20), and(w0, addressMask)) // seller
            mstore(add(m, 0x40), and(w1, addressMask)) // buyer
            mstore(add(m, 0x60), and(w2, addressMask)) // asset
            mstore(add(m, 0x80), and(w3, sub(shl(128, 1), 1))) // price
            mstore(add(m, 0xa0), and(shr(128, w3), 0xffffffff)) // table
            mstore(add(m, 0xc0), and(shr(160, w0), 0xffffffffff)) // expiry
            mstore(add(m, 0xe0), and(shr(200, w0), 0xffffffff)) // redeemWindow
            mstore(add(m, 0x100), and(shr(160, w1), 0xffffffff)) // complaintWindow
            mstore(add(m, 0x120), and(shr(192, w1), 0xffffffff)) // faultWindow
            mstore(add(m, 0x140), and(shr(232, w0), 1)) // sellerOffers
            mstore(add(m, 0x160), shr(160, w2)) // salt
            mstore(add(m, 0x180), shr(224, w1)) // burnSetting
            mstore(add(m, 0x1a0), and(shr(233, w0), 1)) // fromWallet
            hash := keccak256(m, 0x1c0)
        }
    }
}
