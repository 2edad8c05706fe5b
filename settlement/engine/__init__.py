"""The settlement engine (结算引擎): pure computations, no ORM, no Django settings.

Pipeline of one category (细分类别) and period, spec §1:

- ``params``       ``SettlementParams``: scales, deviation rules, PV basis, deposit, clearing tiers.
- ``fixed``        exact fixed-point columns (``*_fen``, ``*_e4``), half-up rounding, ``EngineError``.
- ``points``       case points (病例点数): deviation ratio and type, coefficients, special cases — vectorised.
- ``point_value``  point value (点值) on total-cost or fund basis; other methods → points; consortium booking
                   and per-institution totals.
- ``amounts``      settlement / fund amounts allocated to the fen; monthly advance; quarterly pre-settlement;
                   annual settlement.
- ``clearing``     year-end clearing: sharing tiers with the adjustment fund, deductions, payment.
- ``hashing``      ``result_hash(frame)``: order-independent content hash of a result.
"""

from settlement.engine.hashing import result_hash

__all__ = ["result_hash"]
