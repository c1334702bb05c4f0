"""Latent anatomy and honest evaluation: what each latent dimension does and how far the codes are from the prior.

One job per module: `usage` (KL per dimension, active units), `traversal` (one dimension at a time),
`aggregate` (the codes' density against the prior, and its holes).
"""
