#pragma once

#include "commanderror.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QStringList>

#include <functional>

namespace rd {

class CliContext;

// One "<group> <verb>" command: its synopsis and options for --help, and what it runs.
struct Verb
{
    using Handler =
        std::function<CommandResult<>(CliContext &, const QCommandLineParser &, const QStringList &)>;

    QString name;
    QString synopsis; // what follows "<group> <verb>" in the usage line
    QString summary;
    QList<QCommandLineOption> options;
    int minArguments = 0;
    int maxArguments = 0; // -1: any number
    Handler run;
};

// Whether the option was on the command line; unlike isSet() quiet about options the verb lacks.
inline bool given(const QCommandLineParser &parser, const QString &name)
{
    return parser.optionNames().contains(name);
}

struct CommandGroup
{
    QString name;
    QString summary;
    QList<Verb> verbs;
};

} // namespace rd
