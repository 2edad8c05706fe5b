"""The portal shell at the top of the house: what a bureau admin does across apps (accounts with their
expert-library profiles, bulk hospital accounts). It may import every app; none imports it."""
