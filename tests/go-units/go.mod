module flamepipe.test/gounits

go 1.19
