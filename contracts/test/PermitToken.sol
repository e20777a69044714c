// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Test-only ERC-20 with EIP-2612 permits (OpenZeppelin's) and open minting.
contract PermitToken is ERC20Permit {
    constructor() ERC20("Permit token", "PMT") ERC20Permit("Permit token") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
