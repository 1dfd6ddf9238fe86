"""Privacy safeguards every row meets on the way in and out: identifiers normalized and hashed,
consent, Limited Data Use, the suppression list."""
