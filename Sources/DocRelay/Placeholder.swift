/// Placeholder until the verification pipeline lands.
