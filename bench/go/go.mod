module denogo/bench

go 1.19
