"""r1_trainer: behaviour cloning and M-GRPO for web agents (extra ``[train]``).

The trainer itself is built in a later issue; this package exists so that the distribution's
layout is final.
"""
