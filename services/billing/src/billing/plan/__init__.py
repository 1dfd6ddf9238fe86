"""Plans: the catalogue (code constants) and each user's current plan."""
