module flamepipe/godemo

go 1.19
