"""The year's ledger: the people a meeting selected, carried through the year's evaluations (积分量化,
一季一汇总, 半年一公示, 年底总排名, 一人一档). Its definition, its pure point arithmetic, its store."""
