#include "commandline.h"

#include "clicontext.h"
#include "common/datadir.h"
#include "environmentcommands.h"
#include "gitcommands.h"
#include "hookcommands.h"
#include "keycommands.h"
#include "packagecommands.h"
#include "projectcommands.h"
#include "releasecommands.h"
#include "servercommands.h"
#include "sshcommands.h"
#include "transfercommands.h"
#include "vaultcommands.h"

#include <QLocale>
#include <QTextStream>
#include <QTranslator>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

// Options that take a value, so that the value is not taken for the group or verb.
bool takesValue(const QString &argument, const QList<CommandGroup> &groups)
{
    if (!argument.startsWith(QStringLiteral("--")) || argument.contains(u'='))
        return false;
    const QString name = argument.mid(2);
    if (name == u"data-dir")
        return true;
    for (const CommandGroup &group : groups)
        for (const Verb &verb : group.verbs)
            for (const QCommandLineOption &option : verb.options)
                if (option.names().contains(name) && !option.valueName().isEmpty())
                    return true;
    return false;
}

void printError(bool json, const CommandError &failure)
{
    Output(json).error(failure);
}

} // namespace

QList<CommandGroup> CommandLine::groups()
{
    return {KeyCommands::group(),
            ServerCommands::group(),
            ProjectCommands::group(),
            EnvironmentCommands::group(),
            HookCommands::group(),
            VaultCommands::group(),
            TransferCommands::exportGroup(),
            TransferCommands::importGroup(),
            SshCommands::sshGroup(),
            SshCommands::hostKeysGroup(),
            GitCommands::mirrorGroup(), GitCommands::refsGroup(), GitCommands::diffGroup(),
            PackageCommands::group(), ReleaseCommands::group()};
}

QList<QCommandLineOption> CommandLine::globalOptions()
{
    return {QCommandLineOption(
                opt("data-dir"),
                tr("Inventory directory (default: RELEASEDESK_HOME, else the user's data directory)."),
                tr("DIR")),
            QCommandLineOption(opt("json"), tr("Machine-readable JSON on stdout; errors as JSON on stderr.")),
            QCommandLineOption(opt("password-stdin"),
                               tr("Read passwords as lines from stdin instead of prompting.")),
            QCommandLineOption({opt("h"), opt("help")}, tr("Show help; after a verb, that verb's help."))};
}

QString CommandLine::helpText(const QList<CommandGroup> &groups)
{
    QString text;
    QTextStream out(&text);
    out << tr("Usage: releasedesk-cli [--data-dir DIR] [--json] [--password-stdin] <group> <verb> "
              "[arguments]")
        << "\n\n"
        << tr("Manages the ReleaseDesk inventory without the GUI.") << "\n\n"
        << tr("Options:") << u'\n';
    for (const QCommandLineOption &option : globalOptions()) {
        QString names;
        for (const QString &name : option.names())
            names += (names.isEmpty() ? QString() : QStringLiteral(", ")) +
                     (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
        if (!option.valueName().isEmpty())
            names += u' ' + option.valueName();
        out << QStringLiteral("  ") << names.leftJustified(22) << u' ' << option.description() << u'\n';
    }
    out << u'\n' << tr("Commands:") << u'\n';
    for (const CommandGroup &group : groups) {
        out << QStringLiteral("  ") << group.name << QStringLiteral(" - ") << group.summary << u'\n';
        for (const Verb &verb : group.verbs) {
            out << QStringLiteral("    ") << group.name << u' ' << verb.name;
            if (!verb.synopsis.isEmpty())
                out << u' ' << verb.synopsis;
            out << u'\n';
        }
    }
    out << u'\n'
        << tr("Passwords are never taken from arguments. The master password comes from "
              "RELEASEDESK_VAULT_PASSWORD, "
              "an export password from RELEASEDESK_EXPORT_PASSWORD, a new master password from "
              "RELEASEDESK_NEW_VAULT_PASSWORD; otherwise, with --password-stdin, one line each from stdin in "
              "the "
              "order asked; otherwise from a prompt on the terminal.")
        << QStringLiteral("\n\n")
        << tr("Exit codes:") << u'\n' << QStringLiteral("  0  ") << tr("success") << u'\n'
        << QStringLiteral("  1  ") << tr("runtime failure (I/O, database)") << u'\n'
        << QStringLiteral("  2  ") << tr("usage error (unknown command or option, missing argument)") << u'\n'
        << QStringLiteral("  3  ")
        << tr("invalid input (validation failed; the message names the field and the rule)") << u'\n'
        << QStringLiteral("  4  ") << tr("not found") << u'\n' << QStringLiteral("  5  ")
        << tr("vault locked, not initialized, or wrong password") << u'\n' << QStringLiteral("  6  ")
        << tr("refused: still in use (the users are listed) or name taken") << u'\n' << QStringLiteral("  7  ")
        << tr("one or more servers failed (each one's error is listed)") << u'\n' << u'\n'
        << tr("Run releasedesk-cli <group> <verb> --help for the options of a verb.") << u'\n';
    return text;
}

QString CommandLine::verbHelp(const CommandGroup &group, const Verb &verb)
{
    QString text;
    QTextStream out(&text);
    out << tr("Usage: releasedesk-cli %1 %2 %3").arg(group.name, verb.name, verb.synopsis).trimmed() << "\n\n"
        << verb.summary << u'\n';
    if (!verb.options.isEmpty()) {
        out << u'\n' << tr("Options:") << u'\n';
        for (const QCommandLineOption &option : verb.options) {
            QString names = QStringLiteral("--") + option.names().first();
            if (!option.valueName().isEmpty())
                names += u' ' + option.valueName();
            out << QStringLiteral("  ") << names.leftJustified(22) << u' ' << option.description() << u'\n';
        }
    }
    out << u'\n' << tr("Run releasedesk-cli --help for the global options and the exit codes.") << u'\n';
    return text;
}

int CommandLine::run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("releasedesk"));

    // The .qm files are embedded in the core library's resources under /i18n.
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("releasedesk"), QStringLiteral("_"),
                        QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);

    const QStringList arguments = QCoreApplication::arguments();
    const QList<CommandGroup> all = groups();
    const bool json = arguments.contains(QStringLiteral("--json"));

    QStringList words;
    for (qsizetype i = 1; i < arguments.size() && words.size() < 2; ++i) {
        if (arguments[i].startsWith(u'-')) {
            if (takesValue(arguments[i], all))
                ++i;
            continue;
        }
        words.append(arguments[i]);
    }
    const bool wantsHelp =
        arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"));
    if (words.isEmpty()) {
        if (wantsHelp) {
            QTextStream(stdout) << helpText(all);
            return 0;
        }
        QTextStream(stderr) << helpText(all);
        return int(ExitCode::Usage);
    }

    const CommandGroup *group = nullptr;
    for (const CommandGroup &candidate : all)
        if (candidate.name == words[0])
            group = &candidate;
    QStringList groupNames;
    for (const CommandGroup &candidate : all)
        groupNames.append(candidate.name);
    if (!group) {
        printError(json, {ExitCode::Usage, Error{tr("Unknown command \"%1\".").arg(words[0]),
                                                 tr("Use one of: %1. See releasedesk-cli --help.")
                                                     .arg(groupNames.join(QStringLiteral(", "))),
                                                 {}}});
        return int(ExitCode::Usage);
    }
    QStringList verbNames;
    for (const Verb &candidate : group->verbs)
        verbNames.append(candidate.name);
    const Verb *verb = nullptr;
    for (const Verb &candidate : group->verbs)
        if (words.size() > 1 && candidate.name == words[1])
            verb = &candidate;
    if (!verb) {
        if (words.size() < 2 && wantsHelp) {
            QString text;
            for (const Verb &candidate : group->verbs)
                text += verbHelp(*group, candidate) + u'\n';
            QTextStream(stdout) << text;
            return 0;
        }
        printError(json, {ExitCode::Usage,
                          Error{words.size() < 2 ? tr("\"%1\" needs a verb.").arg(group->name)
                                                 : tr("Unknown verb \"%1 %2\".").arg(group->name, words[1]),
                                tr("Use one of: %1.").arg(verbNames.join(QStringLiteral(", "))),
                                {}}});
        return int(ExitCode::Usage);
    }

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOptions(globalOptions());
    parser.addOptions(verb->options);
    if (!parser.parse(arguments)) {
        printError(json, {ExitCode::Usage,
                          Error{parser.errorText(),
                                tr("See releasedesk-cli %1 %2 --help.").arg(group->name, verb->name),
                                {}}});
        return int(ExitCode::Usage);
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << verbHelp(*group, *verb);
        return 0;
    }
    const QStringList verbArguments = parser.positionalArguments().mid(2);
    if (verbArguments.size() < verb->minArguments ||
        (verb->maxArguments >= 0 && verbArguments.size() > verb->maxArguments)) {
        printError(json,
                   {ExitCode::Usage,
                    Error{verbArguments.size() < verb->minArguments
                              ? tr("Missing argument for \"%1 %2\".").arg(group->name, verb->name)
                              : tr("Too many arguments for \"%1 %2\": %3.")
                                    .arg(group->name, verb->name,
                                         verbArguments.mid(qMax(verb->maxArguments, 0)).join(u' ')),
                          tr("Usage: releasedesk-cli %1 %2 %3").arg(group->name, verb->name, verb->synopsis),
                          {}}});
        return int(ExitCode::Usage);
    }

    const QString dataDir = DataDir::resolve(parser.value(QStringLiteral("data-dir")));
    if (auto prepared = DataDir::prepare(dataDir); !prepared) {
        printError(json, {ExitCode::Runtime, prepared.error()});
        return int(ExitCode::Runtime);
    }
    CliContext context(dataDir, parser.isSet(QStringLiteral("json")), parser.isSet(QStringLiteral("password-stdin")));
    if (auto done = verb->run(context, parser, verbArguments); !done) {
        context.out().error(done.error());
        return int(done.error().code);
    }
    return int(ExitCode::Ok);
}

} // namespace rd
