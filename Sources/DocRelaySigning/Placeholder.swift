/// Placeholder until the signing layer lands.
