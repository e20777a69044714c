// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title PackedTerms
 * @notice A deal's terms in five words, as every escrow call takes them and every event carries
 * them: an honest trade passes them three times, and eleven padded words cost each call about a
 * thousand gas more in calldata and decoding than five dense ones.
 *
 * | word | bits 0-159 | above |
 * | ---- | ---------- | ----- |
 * | 0    | seller     | expiry (40) at 160, redeemWindow (32) at 200, sellerOffers (1) at 232 |
 * | 1    | buyer      | complaintWindow (32) at 160, faultWindow (32) at 192 |
 * | 2    | asset      | salt (96) at 160 |
 * | 3    | price (128) | - |
 * | 4    | tableId (256) | |
 *
 * Every other bit is zero in a canonical packing; {isCanonical} says whether it is, and a deal is
 * only created from a canonical one. The id hashes the fields, not the words, so a later call with
 * another packing of the same fields reaches the same deal with the same fields: harmless, and
 * cheaper than checking every call. What an offerer signs is the unpacked {TERMS_TYPE} (EIP-712).
 */
library PackedTerms {
    string internal constant TERMS_TYPE =
        "Terms(address seller,address buyer,address asset,uint128 price,bytes32 tableId,uint40 expiry,"
        "uint32 redeemWindow,uint32 complaintWindow,uint32 faultWindow,bool sellerOffers,uint96 salt)";
    bytes32 internal constant TERMS_TYPEHASH = keccak256(bytes(TERMS_TYPE));

    uint256 private constant ADDRESS = type(uint160).max;
    /// @dev The bits word 0..3 may use; word 4 (the table id) uses all.
    uint256 private constant USED_0 = (uint256(1) << 233) - 1;
    uint256 private constant USED_1 = (uint256(1) << 224) - 1;
    uint256 private constant USED_3 = type(uint128).max;

    function seller(bytes32[5] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[0]) & ADDRESS));
    }

    function buyer(bytes32[5] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[1]) & ADDRESS));
    }

    /// @notice The payment asset; address(0) is native ETH.
    function asset(bytes32[5] calldata t) internal pure returns (address) {
        return address(uint160(uint256(t[2]) & ADDRESS));
    }

    function price(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint256(t[3]);
    }

    function tableId(bytes32[5] calldata t) internal pure returns (bytes32) {
        return t[4];
    }

    /// @notice The offer can be accepted before this time (unix seconds), not at or after it.
    function expiry(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint40(uint256(t[0]) >> 160);
    }

    function redeemWindow(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[0]) >> 200);
    }

    function complaintWindow(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[1]) >> 160);
    }

    function faultWindow(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint32(uint256(t[1]) >> 192);
    }

    /// @notice Whether the seller offers (and funds first); else the buyer does.
    function sellerOffers(bytes32[5] calldata t) internal pure returns (bool) {
        return (uint256(t[0]) >> 232) & 1 == 1;
    }

    function salt(bytes32[5] calldata t) internal pure returns (uint256) {
        return uint96(uint256(t[2]) >> 160);
    }

    /// @notice The offerer (who funds first) and the counterparty.
    function parties(bytes32[5] calldata t) internal pure returns (address offerer, address counterparty) {
        return sellerOffers(t) ? (seller(t), buyer(t)) : (buyer(t), seller(t));
    }

    /// @notice Whether every bit outside the fields is zero.
    function isCanonical(bytes32[5] calldata t) internal pure returns (bool) {
        return uint256(t[0]) & ~USED_0 == 0 && uint256(t[1]) & ~USED_1 == 0 && uint256(t[3]) & ~USED_3 == 0;
    }

    /// @notice The EIP-712 struct hash of the unpacked terms.
    function structHash(bytes32[5] calldata t) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    TERMS_TYPEHASH,
                    seller(t),
                    buyer(t),
                    asset(t),
                    price(t),
                    tableId(t),
                    expiry(t),
                    redeemWindow(t),
                    complaintWindow(t),
                    faultWindow(t),
                    sellerOffers(t),
                    salt(t)
                )
            );
    }
}
