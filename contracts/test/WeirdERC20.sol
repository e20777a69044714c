// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only token whose `transfer` and `transferFrom` return nothing (as USDT does).
contract NoReturnERC20 {
    error InsufficientBalance();
    error InsufficientAllowance();

    // Why: ERC-20's `decimals()` getter has this exact name.
    // solhint-disable-next-line const-name-snakecase
    uint8 public constant decimals = 18;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (allowance[from][msg.sender] < amount) revert InsufficientAllowance();
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        if (balanceOf[from] < amount) revert InsufficientBalance();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Test-only token that returns `false` instead of reverting when a transfer cannot be
/// made, and fails every transfer while `failAll` is set.
contract FalseReturnERC20 {
    // Why: ERC-20's `decimals()` getter has this exact name.
    // solhint-disable-next-line const-name-snakecase
    uint8 public constant decimals = 18;
    bool public failAll;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function setFailAll(bool on) external {
        failAll = on;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        return _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (allowance[from][msg.sender] < amount) return false;
        if (!_move(from, to, amount)) return false;
        allowance[from][msg.sender] -= amount;
        return true;
    }

    function _move(address from, address to, uint256 amount) private returns (bool) {
        if (failAll || balanceOf[from] < amount) return false;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return true;
    }
}

/// @notice Test-only token with a blocklist: blocked accounts can neither send nor receive.
contract BlocklistERC20 is MockERC20 {
    error Blocked(address account);

    mapping(address account => bool) public blocked;

    constructor() MockERC20("Blocklist token", "BLK", 18) {}

    function setBlocked(address account, bool on) external {
        blocked[account] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @notice Test-only token whose transfers all revert while paused.
contract PausableERC20 is MockERC20 {
    error TokenPaused();

    bool public paused;

    constructor() MockERC20("Pausable token", "PAU", 18) {}

    function setPaused(bool on) external {
        paused = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert TokenPaused();
        super._update(from, to, value);
    }
}

/// @notice Test-only token that reverts on transfers of zero.
contract ZeroRevertERC20 is MockERC20 {
    error ZeroTransfer();

    constructor() MockERC20("Zero-revert token", "ZRV", 18) {}

    function _update(address from, address to, uint256 value) internal override {
        if (value == 0 && from != address(0) && to != address(0)) revert ZeroTransfer();
        super._update(from, to, value);
    }
}

/// @notice Receives a callback from `CallbackERC20` (as ERC-777 hooks do).
interface ITokenRecipient {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice Test-only token that calls registered recipients back on every transfer to them (as
/// ERC-777 does for recipients with a hook), which lets a recipient re-enter whoever sent the tokens.
contract CallbackERC20 is MockERC20 {
    mapping(address account => bool) public hooked;

    constructor() MockERC20("Callback token", "CBK", 18) {}

    function setHook(address account, bool on) external {
        hooked[account] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) ITokenRecipient(to).onTokenReceived(from, value);
    }
}

/// @notice Test-only token whose transfers spend `burnGas` gas on top of the usual (a token behind a
/// proxy or with hooks): a payout push must give a token more gas than a native transfer.
contract GasHungryERC20 is MockERC20 {
    uint256 public burnGas;

    constructor() MockERC20("Gas-hungry token", "GAS", 18) {}

    function setBurnGas(uint256 amount) external {
        burnGas = amount;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 start = gasleft();
            // Why: spending a set amount of gas is the behaviour under test.
            // solhint-disable-next-line no-empty-blocks
            while (start - gasleft() < burnGas) {}
        }
        super._update(from, to, value);
    }
}
