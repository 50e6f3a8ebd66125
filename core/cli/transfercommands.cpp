#include "transfercommands.h"

#include "clicontext.h"
#include "common/boundedfile.h"
#include "inventory/ansibleinventory.h"
#include "inventory/jsoninventory.h"
#include "inventory/sshconfigimporter.h"
#include "inventory/validator.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

const QString ExportPasswordVariable = QStringLiteral("RELEASEDESK_EXPORT_PASSWORD");

// To --output (whole or not at all, 0600 since an inventory maps the fleet), else to stdout.
CommandResult<> writeOutput(CliContext &context, const QCommandLineParser &parser, const QByteArray &data,
                            const QStringList &warnings)
{
    for (const QString &warning : warnings)
        QTextStream(stderr) << TransferCommands::tr("warning: %1").arg(warning) << u'\n';
    if (!given(parser, opt("output"))) {
        std::fwrite(data.constData(), 1, size_t(data.size()), stdout);
        std::fflush(stdout);
        return {};
    }
    const QString path = QFileInfo(parser.value(opt("output"))).absoluteFilePath();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(data) != data.size() || !file.commit())
        return commandFailure(ExitCode::Runtime,
                              TransferCommands::tr("Could not write %1: %2").arg(path, file.errorString()),
                              TransferCommands::tr("Check that the directory exists and is writable."),
                              QStringLiteral("output"));
    context.out().done(TransferCommands::tr("Wrote %1.").arg(path),
                       QJsonObject{{QStringLiteral("output"), path},
                                   {QStringLiteral("bytes"), data.size()},
                                   {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}});
    return {};
}

// An inventory of 50,000 servers with sealed keys stays well below this.
constexpr qint64 MaxInventoryBytes = 64 * 1024 * 1024;

CommandResult<QByteArray> readInput(const QString &path)
{
    if (!QFileInfo::exists(path))
        return commandFailure(ExitCode::NotFound,
                              TransferCommands::tr("The file %1 does not exist.").arg(path),
                              TransferCommands::tr("Check the path."), QStringLiteral("file"));
    auto data = BoundedFile::read(path, MaxInventoryBytes, TransferCommands::tr("The inventory file"));
    if (!data)
        return commandFailure(ExitCode::Invalid, data.error());
    return *data;
}

void printReport(CliContext &context, const ImportReport &report)
{
    if (context.out().isJson()) {
        context.out().done(QString(), QJsonObject{{QStringLiteral("added"), report.added},
                                                  {QStringLiteral("updated"), report.updated},
                                                  {QStringLiteral("skipped"), report.skipped},
                                                  {QStringLiteral("warnings"),
                                                   QJsonArray::fromStringList(report.warnings)}});
        return;
    }
    QString text = TransferCommands::tr("Added %1, updated %2, skipped %3.")
                       .arg(report.added)
                       .arg(report.updated)
                       .arg(report.skipped);
    for (const QString &warning : report.warnings)
        text += QStringLiteral("\n  ") + warning;
    context.out().text(text);
}

CommandResult<> exportJson(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    const Vault *vault = nullptr;
    SecretBytes exportPassword;
    if (given(parser, opt("with-secrets"))) {
        auto unlocked = context.unlockedVault();
        if (!unlocked)
            return std::unexpected(unlocked.error());
        vault = *unlocked;
        auto password = context.passwords().read(
            ExportPasswordVariable, TransferCommands::tr("Export password"), true, ExitCode::Usage);
        if (!password)
            return std::unexpected(password.error());
        exportPassword = std::move(*password);
    }
    QStringList warnings;
    auto json = JsonInventory::exportJson(**store, vault, exportPassword.view(), &warnings);
    if (!json)
        return std::unexpected(CliContext::fromStore(json.error()));
    return writeOutput(context, parser, *json, warnings);
}

CommandResult<> importJson(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto data = readInput(args[0]);
    if (!data)
        return std::unexpected(data.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    Vault *vault = nullptr;
    SecretBytes exportPassword;
    // Only a file with sealed secrets needs the vault and the export password.
    const QJsonValue secrets = QJsonDocument::fromJson(*data).object().value(QStringLiteral("secrets"));
    if (secrets.isString() && !secrets.toString().isEmpty()) {
        auto unlocked = context.unlockedVault();
        if (!unlocked)
            return std::unexpected(unlocked.error());
        vault = *unlocked;
        auto password = context.passwords().read(
            ExportPasswordVariable, TransferCommands::tr("Export password"), false, ExitCode::Usage);
        if (!password)
            return std::unexpected(password.error());
        exportPassword = std::move(*password);
        // A wrong export password is a password failure (exit 5), told apart before the import runs.
        if (auto opened = Vault::openWithPassword(QByteArray::fromBase64(secrets.toString().toLatin1()),
                                                  exportPassword.view());
            !opened)
            return commandFailure(ExitCode::Vault, opened.error());
    }
    auto report = JsonInventory::importJson(**store, vault, *data, exportPassword.view());
    if (!report)
        return std::unexpected(CliContext::fromStore(report.error()));
    printReport(context, *report);
    return {};
}

CommandResult<> importSshConfig(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    const QString path = args.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/config")) : args[0];
    if (!QFileInfo::exists(path))
        return commandFailure(ExitCode::NotFound,
                              TransferCommands::tr("The file %1 does not exist.").arg(path),
                              TransferCommands::tr("Give the path of an OpenSSH client configuration."),
                              QStringLiteral("file"));
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto report = SshConfigImporter::import(**store, path);
    if (!report)
        return std::unexpected(CliContext::fromStore(report.error()));
    printReport(context, *report);
    return {};
}

CommandResult<AnsibleInventory::Format> ansibleFormat(const QCommandLineParser &parser)
{
    const QString format = parser.value(opt("format"));
    if (format == u"ini")
        return AnsibleInventory::Format::Ini;
    if (format == u"yaml")
        return AnsibleInventory::Format::Yaml;
    return commandFailure(
        ExitCode::Usage,
        format.isEmpty()
            ? TransferCommands::tr("The Ansible inventory format is missing.")
            : TransferCommands::tr("The Ansible inventory format \"%1\" is unknown.").arg(format),
        TransferCommands::tr("Give --format ini or --format yaml."), QStringLiteral("format"));
}

CommandResult<> exportAnsible(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    auto format = ansibleFormat(parser);
    if (!format)
        return std::unexpected(format.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto data = AnsibleInventory::exportInventory(**store, *format);
    if (!data)
        return std::unexpected(CliContext::fromStore(data.error()));
    return writeOutput(context, parser, *data, {});
}

CommandResult<> importAnsible(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto format = ansibleFormat(parser);
    if (!format)
        return std::unexpected(format.error());
    const bool asTags = given(parser, opt("as-tags"));
    if (asTags == given(parser, opt("project")))
        return commandFailure(
            ExitCode::Usage,
            TransferCommands::tr("Say what the groups of the inventory become, exactly once."),
            TransferCommands::tr("Give --project P (groups become its environments) or --as-tags."));
    if (asTags && given(parser, opt("root")))
        return commandFailure(
            ExitCode::Usage, TransferCommands::tr("--root only goes with --project."),
            TransferCommands::tr("Tags have no deploy root; drop --root or use --project."));
    QString projectName;
    QString deployRoot;
    if (!asTags) {
        auto project = context.findProject(parser.value(opt("project")));
        if (!project)
            return std::unexpected(project.error());
        projectName = project->name;
        if (given(parser, opt("root"))) {
            deployRoot = parser.value(opt("root"));
            if (auto error = Validator::deployRoot(deployRoot))
                return commandFailure(ExitCode::Invalid, *error);
        }
    }
    auto data = readInput(args[0]);
    if (!data)
        return std::unexpected(data.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto report = AnsibleInventory::import(**store, *data, *format,
                                           asTags ? AnsibleInventory::GroupsAs::Tags
                                                  : AnsibleInventory::GroupsAs::Environments,
                                           projectName, deployRoot);
    if (!report)
        return std::unexpected(CliContext::fromStore(report.error()));
    printReport(context, *report);
    return {};
}

QCommandLineOption formatOption()
{
    return QCommandLineOption(opt("format"), TransferCommands::tr("ini or yaml."),
                              TransferCommands::tr("FORMAT"));
}

QCommandLineOption outputOption()
{
    return QCommandLineOption(opt("output"),
                              TransferCommands::tr("Write to this file (mode 0600) instead of stdout."),
                              TransferCommands::tr("F"));
}

} // namespace

CommandGroup TransferCommands::exportGroup()
{
    return CommandGroup{
        opt("export"),
        tr("Write the inventory out"),
        {
            {opt("json"),
             tr("[--output F] [--with-secrets]"),
             tr("The whole inventory as JSON. With --with-secrets, stored private keys are included, sealed "
                "under an "
                "export password (RELEASEDESK_EXPORT_PASSWORD, stdin or prompt); this needs the master "
                "password."),
             {outputOption(),
              QCommandLineOption(opt("with-secrets"), tr("Include the stored private keys, sealed."))},
             0,
             0,
             exportJson},
            {opt("ansible"),
             tr("--format ini|yaml [--output F]"),
             tr("Servers and environments as an Ansible inventory; one group per environment."),
             {formatOption(), outputOption()},
             0,
             0,
             exportAnsible},
        }};
}

CommandGroup TransferCommands::importGroup()
{
    return CommandGroup{
        opt("import"),
        tr("Merge inventory from files; entries with the same name are updated"),
        {
            {opt("json"),
             tr("FILE"),
             tr("A ReleaseDesk JSON export. Sealed private keys need the export password and the master "
                "password."),
             {},
             1,
             1,
             importJson},
            {opt("ssh-config"),
             tr("[FILE]"),
             tr("Servers from an OpenSSH client configuration (default ~/.ssh/config)."),
             {},
             0,
             1,
             importSshConfig},
            {opt("ansible"),
             tr("FILE --format ini|yaml (--project P [--root PATH] | --as-tags)"),
             tr("Hosts of an Ansible inventory become servers; its groups become environments of project P "
                "(deploy "
                "root from the group's releasedesk_deploy_root, else --root) or tags."),
             {formatOption(),
              QCommandLineOption(opt("project"), tr("Project whose environments the groups become."),
                                 tr("P")),
              QCommandLineOption(opt("root"), tr("Deploy root of those environments."), tr("PATH")),
              QCommandLineOption(opt("as-tags"), tr("Groups become tags on their hosts."))},
             1,
             1,
             importAnsible},
        }};
}

} // namespace rd
