"""Target adapters: the only modules that touch processes, sockets or cluster APIs."""
