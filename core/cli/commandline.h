#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// The headless front end: releasedesk-cli [--data-dir DIR] [--json] <group> <verb> [args].
// Finds the verb, parses its options, runs it over the core and returns the exit code.
class CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)

public:
    static int run(int argc, char *argv[]);

private:
    static QList<CommandGroup> groups();
    static QList<QCommandLineOption> globalOptions();
    static QString helpText(const QList<CommandGroup> &groups);
    static QString verbHelp(const CommandGroup &group, const Verb &verb);
};

} // namespace rd
