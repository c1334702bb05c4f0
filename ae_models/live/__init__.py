"""Live training: a worker process trains one model and streams a snapshot per epoch; a pool runs a few at once.

Layers, bottom up: `records` (settings, commands and the messages that cross the process boundary), `snapshots`
(what one epoch looks like: map, reconstructions, prior decodes), `worker` (the training process), `pool` (the
server-wide limit, the queue and the runs' lifetimes); `compare` picks the shipped model a run's curves can be
overlaid with. No Streamlit here: the Train live page asks and presents.
"""
