"""Usage projection: campaigns, ad groups and synced profiles per user."""
