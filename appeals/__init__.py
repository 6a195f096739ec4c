"""Appeals against test questions (§21-26): filing, the commission, votes, protocols, regrades."""
