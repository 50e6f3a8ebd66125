#pragma once

namespace rd {

// The headless front end: parses arguments, runs one command over the core, returns the exit code.
class CommandLine
{
public:
    static int run(int argc, char *argv[]);
};

} // namespace rd
