"""The local target: processes of this machine, the embedded default."""
