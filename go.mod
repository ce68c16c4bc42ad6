module github.com/visitarchive/visitarchive

go 1.26.8
