"""Settlement parameter sets (结算参数): versioned per region × year × scheme × category, maker-checker."""
