"""Negotiation (协商谈判, domain spec §15): meetings with representative institutions of every level and
type, their agenda, the positions taken, the agreed outcomes and the parameter or catalog versions
those outcomes produced. Bureau users record it; a hospital whose institution attended reads it."""
