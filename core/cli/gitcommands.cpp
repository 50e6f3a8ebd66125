#include "gitcommands.h"

#include "clicontext.h"
#include "git/gitchanges.h"
#include "git/gitmirror.h"
#include "git/gitrefs.h"
#include "workspace/mirrorfetch.h"
#include "workspace/workspace.h"
#include "inventory/storedkeybuilder.h"

#include <QDir>
#include <QJsonArray>
#include <QLocale>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

std::atomic_bool interrupted{false};

// Ctrl-C cancels the fetch cleanly, so a first clone leaves no half mirror behind.
class InterruptCancels
{
public:
    InterruptCancels()
    {
        interrupted = false;
        m_previous = std::signal(SIGINT, [](int) { interrupted = true; });
    }
    ~InterruptCancels() { std::signal(SIGINT, m_previous); }
    InterruptCancels(const InterruptCancels &) = delete;
    InterruptCancels &operator=(const InterruptCancels &) = delete;

private:
    void (*m_previous)(int) = SIG_DFL;
};

QString when(const QDateTime &date)
{
    return date.toString(Qt::ISODate);
}

QString shortWhen(const QDateTime &date)
{
    return date.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

CommandResult<GitRefs> openMirror(CliContext &context, const QString &projectName)
{
    auto project = context.findProject(projectName);
    if (!project)
        return std::unexpected(project.error());
    const GitMirror mirror(GitMirror::pathFor(context.dataDir(), project->name));
    if (!mirror.exists())
        return commandFailure(
            ExitCode::NotFound, GitCommands::tr("Project \"%1\" has no local mirror yet.").arg(project->name),
            GitCommands::tr("Fetch it first: releasedesk-cli mirror fetch %1").arg(project->name),
            QStringLiteral("project"));
    auto refs = GitRefs::open(mirror.path());
    if (!refs)
        return commandFailure(ExitCode::Runtime, refs.error());
    return std::move(*refs);
}

// A ref that names no commit is "not found"; anything else went wrong while reading.
CommandError refFailure(const Error &error)
{
    return CommandError{error.field == u"ref" ? ExitCode::NotFound : ExitCode::Runtime, error};
}

QJsonObject commitJson(const CommitInfo &commit)
{
    return QJsonObject{
        {QStringLiteral("commit"), commit.id},       {QStringLiteral("short"), commit.shortId},
        {QStringLiteral("author"), commit.author},   {QStringLiteral("email"), commit.authorEmail},
        {QStringLiteral("date"), when(commit.date)}, {QStringLiteral("subject"), commit.subject}};
}

// Table rows show the short date; JSON keeps the full ISO date with its offset.
QJsonArray commitRows(const QList<CommitInfo> &commits, bool json, const QString &direction = {})
{
    QJsonArray rows;
    for (const CommitInfo &commit : commits) {
        QJsonObject row = commitJson(commit);
        if (!json)
            row.insert(QStringLiteral("date"), shortWhen(commit.date));
        if (!direction.isEmpty())
            row.insert(QStringLiteral("direction"), direction);
        rows.append(row);
    }
    return rows;
}

QJsonArray fileRows(const QList<FileChange> &files)
{
    QJsonArray rows;
    for (const FileChange &file : files) {
        QJsonObject row{{QStringLiteral("status"), FileChange::statusName(file.status)},
                        {QStringLiteral("path"), file.path},
                        {QStringLiteral("oldMode"), QString::number(file.oldMode, 8)},
                        {QStringLiteral("newMode"), QString::number(file.newMode, 8)}};
        if (file.status == FileChange::Status::Renamed) {
            row.insert(QStringLiteral("from"), file.oldPath);
            row.insert(QStringLiteral("similarity"), file.similarity);
        }
        rows.append(row);
    }
    return rows;
}

// The key for an ssh remote: a stored key is opened from the vault (asking for the master password).
CommandResult<GitSshCredentials> credentialsFor(CliContext &context, const QCommandLineParser &parser)
{
    GitSshCredentials credentials;
    if (given(parser, opt("agent")))
        credentials.useAgent = true;
    if (given(parser, opt("key-file")))
        credentials.keyPath =
            QDir::cleanPath(QDir::current().absoluteFilePath(parser.value(opt("key-file"))));
    if (given(parser, opt("user")))
        credentials.username = parser.value(opt("user"));
    if (!given(parser, opt("key")))
        return credentials;
    auto key = context.findKey(parser.value(opt("key")));
    if (!key)
        return std::unexpected(key.error());
    if (!key->enabled)
        return commandFailure(ExitCode::Invalid, GitCommands::tr("The key %1 is disabled.").arg(key->name),
                              GitCommands::tr("Enable it or choose another key."), QStringLiteral("key"));
    if (credentials.username.isEmpty())
        credentials.username = key->username;
    switch (key->kind) {
    case KeyKind::Agent:
        credentials.useAgent = true;
        break;
    case KeyKind::File:
        credentials.keyPath = key->keyPath;
        break;
    case KeyKind::Stored: {
        auto vault = context.unlockedVault();
        if (!vault)
            return std::unexpected(vault.error());
        auto privateKey = (*vault)->open(key->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
        if (!privateKey)
            return std::unexpected(CliContext::vaultFailure(privateKey.error()));
        credentials.privateKey = std::move(*privateKey);
        if (key->hasPassphrase()) {
            auto passphrase = (*vault)->open(key->sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
            if (!passphrase)
                return std::unexpected(CliContext::vaultFailure(passphrase.error()));
            credentials.passphrase = std::move(*passphrase);
        }
        break;
    }
    }
    return credentials;
}

CommandResult<> fetch(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto project = context.findProject(arguments[0]);
    if (!project)
        return std::unexpected(project.error());
    if (auto valid = GitMirror::checkUrl(project->gitUrl); !valid)
        return commandFailure(ExitCode::Invalid, valid.error());
    auto credentials = credentialsFor(context, parser);
    if (!credentials)
        return std::unexpected(credentials.error());

    auto workspace = context.workspace();
    if (!workspace)
        return std::unexpected(workspace.error());
    const bool acceptNew = given(parser, opt("accept-new-host-key"));
    const InterruptCancels interrupt;
    MirrorFetch::Options options;
    options.credentials = std::move(*credentials);
    bool refusedNewKey = false;
    // A server with another key already known is not new: --accept-new-host-key leaves it to the operator.
    options.hostKeyPrompt = [acceptNew, &refusedNewKey](const HostKeyInfo &info) {
        const bool accept = acceptNew && info.otherKnownKey.isEmpty();
        refusedNewKey = !accept && info.otherKnownKey.isEmpty();
        return accept ? HostKeyDecision::Remember : HostKeyDecision::Reject;
    };
    options.cancel = &interrupted;
    const bool showProgress =
        !context.out().isJson() && !given(parser, opt("quiet")) && isatty(STDERR_FILENO);
    if (showProgress) {
        options.onProgress = [](const FetchProgress &progress) {
            if (progress.totalObjects <= 0)
                return;
            QTextStream(stderr) << u'\r'
                                << GitCommands::tr("Receiving objects: %1/%2, %3")
                                       .arg(progress.receivedObjects)
                                       .arg(progress.totalObjects)
                                       .arg(QLocale::c().formattedDataSize(progress.receivedBytes))
                                << QStringLiteral("   ");
        };
    }

    const MirrorFetch mirror(**workspace, *project);
    auto report = mirror.run(std::move(options));
    if (showProgress)
        QTextStream(stderr) << u'\n';
    if (!report) {
        Error error = report.error();
        if (refusedNewKey)
            error.hint =
                GitCommands::tr("Compare the fingerprint with the server's, then run the fetch again with "
                                "--accept-new-host-key.");
        return commandFailure(ExitCode::Runtime, error);
    }

    QJsonArray updates;
    for (const RefUpdate &update : report->updates)
        updates.append(QJsonObject{{QStringLiteral("ref"), update.name},
                                   {QStringLiteral("old"), update.oldId},
                                   {QStringLiteral("new"), update.newId}});
    const QJsonObject result{{QStringLiteral("project"), project->name},
                             {QStringLiteral("mirror"), mirror.mirrorPath()},
                             {QStringLiteral("cloned"), report->cloned},
                             {QStringLiteral("defaultBranch"), report->defaultBranch},
                             {QStringLiteral("receivedObjects"), report->transfer.receivedObjects},
                             {QStringLiteral("receivedBytes"), report->transfer.receivedBytes},
                             {QStringLiteral("updates"), updates}};
    if (context.out().isJson()) {
        context.out().done(QString(), result);
        return {};
    }
    QString text = (report->cloned ? GitCommands::tr("Cloned %1 into %2: %3 refs.")
                                   : GitCommands::tr("Fetched %1 into %2: %3 refs changed."))
                       .arg(project->name, mirror.mirrorPath())
                       .arg(report->updates.size());
    for (const RefUpdate &update : report->updates) {
        const QString change =
            update.oldId.isEmpty() ? GitCommands::tr("new %1").arg(update.newId.left(12))
            : update.newId.isEmpty()
                ? GitCommands::tr("deleted (was %1)").arg(update.oldId.left(12))
                : QStringLiteral("%1..%2").arg(update.oldId.left(12), update.newId.left(12));
        text += QStringLiteral("\n  %1  %2").arg(update.name, change);
    }
    context.out().text(text);
    return {};
}

CommandResult<> branches(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    auto refs = openMirror(context, arguments[0]);
    if (!refs)
        return std::unexpected(refs.error());
    auto list = refs->branches();
    if (!list)
        return commandFailure(ExitCode::Runtime, list.error());
    const bool json = context.out().isJson();
    QJsonArray rows;
    for (const BranchInfo &branch : *list)
        rows.append(QJsonObject{{QStringLiteral("name"), branch.name},
                                {QStringLiteral("commit"), json ? branch.commitId : branch.commitId.left(12)},
                                {QStringLiteral("date"), json ? when(branch.date) : shortWhen(branch.date)},
                                {QStringLiteral("subject"), branch.subject}});
    context.out().list({{opt("name"), GitCommands::tr("Branch")},
                        {opt("commit"), GitCommands::tr("Commit")},
                        {opt("date"), GitCommands::tr("Date")},
                        {opt("subject"), GitCommands::tr("Subject")}},
                       rows);
    return {};
}

CommandResult<> tags(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    auto refs = openMirror(context, arguments[0]);
    if (!refs)
        return std::unexpected(refs.error());
    auto list = refs->tags();
    if (!list)
        return commandFailure(ExitCode::Runtime, list.error());
    const bool json = context.out().isJson();
    QJsonArray rows;
    for (const TagInfo &tag : *list)
        rows.append(QJsonObject{{QStringLiteral("name"), tag.name},
                                {QStringLiteral("kind"),
                                 tag.annotated ? QStringLiteral("annotated") : QStringLiteral("lightweight")},
                                {QStringLiteral("commit"), json ? tag.commitId : tag.commitId.left(12)},
                                {QStringLiteral("date"), json ? when(tag.date) : shortWhen(tag.date)},
                                {QStringLiteral("message"), tag.message}});
    context.out().list({{opt("name"), GitCommands::tr("Tag")},
                        {opt("kind"), GitCommands::tr("Kind")},
                        {opt("commit"), GitCommands::tr("Commit")},
                        {opt("date"), GitCommands::tr("Date")},
                        {opt("message"), GitCommands::tr("Message")}},
                       rows);
    return {};
}

CommandResult<> commits(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto project = context.findProject(arguments[0]);
    if (!project)
        return std::unexpected(project.error());
    auto limit = CliContext::integer(parser.value(opt("limit")), opt("limit"), 1, 100000);
    if (!limit)
        return std::unexpected(limit.error());
    auto refs = openMirror(context, project->name);
    if (!refs)
        return std::unexpected(refs.error());
    const QString ref = arguments.size() > 1 ? arguments[1] : project->defaultBranch;
    auto list = refs->commits(ref, *limit);
    if (!list)
        return std::unexpected(refFailure(list.error()));
    context.out().list({{opt("short"), GitCommands::tr("Commit")},
                        {opt("date"), GitCommands::tr("Date")},
                        {opt("author"), GitCommands::tr("Author")},
                        {opt("subject"), GitCommands::tr("Subject")}},
                       commitRows(*list, context.out().isJson()));
    return {};
}

CommandResult<> resolve(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    auto refs = openMirror(context, arguments[0]);
    if (!refs)
        return std::unexpected(refs.error());
    auto commit = refs->commit(arguments[1]);
    if (!commit)
        return std::unexpected(refFailure(commit.error()));
    QJsonObject row = commitJson(*commit);
    row.insert(QStringLiteral("ref"), arguments[1]);
    context.out().record({{opt("ref"), GitCommands::tr("Ref")},
                          {opt("commit"), GitCommands::tr("Commit")},
                          {opt("author"), GitCommands::tr("Author")},
                          {opt("date"), GitCommands::tr("Date")},
                          {opt("subject"), GitCommands::tr("Subject")}},
                         row);
    return {};
}

CommandResult<ChangeSet> changeSet(CliContext &context, const QCommandLineParser &parser,
                                   const QStringList &arguments)
{
    auto limit = CliContext::integer(parser.value(opt("limit")), opt("limit"), 1, 100000);
    if (!limit)
        return std::unexpected(limit.error());
    auto refs = openMirror(context, arguments[0]);
    if (!refs)
        return std::unexpected(refs.error());
    auto changes = GitChanges::between(*refs, arguments[1], arguments[2], *limit);
    if (!changes)
        return std::unexpected(refFailure(changes.error()));
    return std::move(*changes);
}

const QList<Output::Column> &commitColumns()
{
    static const QList<Output::Column> columns{{opt("direction"), QStringLiteral("+/-")},
                                               {opt("short"), GitCommands::tr("Commit")},
                                               {opt("date"), GitCommands::tr("Date")},
                                               {opt("author"), GitCommands::tr("Author")},
                                               {opt("subject"), GitCommands::tr("Subject")}};
    return columns;
}

const QList<Output::Column> &fileColumns()
{
    static const QList<Output::Column> columns{{opt("status"), GitCommands::tr("Status")},
                                               {opt("path"), GitCommands::tr("Path")},
                                               {opt("from"), GitCommands::tr("Renamed from")}};
    return columns;
}

QJsonArray directedCommits(const ChangeSet &changes, bool json)
{
    QJsonArray rows =
        commitRows(changes.commitsAdded, json, json ? QStringLiteral("added") : QStringLiteral("+"));
    for (const QJsonValue &row :
         commitRows(changes.commitsRemoved, json, json ? QStringLiteral("removed") : QStringLiteral("-")))
        rows.append(row);
    return rows;
}

CommandResult<> diffCommits(CliContext &context, const QCommandLineParser &parser,
                            const QStringList &arguments)
{
    auto changes = changeSet(context, parser, arguments);
    if (!changes)
        return std::unexpected(changes.error());
    context.out().list(commitColumns(), directedCommits(*changes, context.out().isJson()));
    return {};
}

CommandResult<> diffFiles(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto changes = changeSet(context, parser, arguments);
    if (!changes)
        return std::unexpected(changes.error());
    context.out().list(fileColumns(), fileRows(changes->files));
    return {};
}

CommandResult<> diffShow(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto changes = changeSet(context, parser, arguments);
    if (!changes)
        return std::unexpected(changes.error());
    if (context.out().isJson()) {
        context.out().done(
            QString(),
            QJsonObject{{QStringLiteral("base"), changes->baseId},
                        {QStringLiteral("target"), changes->targetId},
                        {QStringLiteral("commitsAdded"), commitRows(changes->commitsAdded, true)},
                        {QStringLiteral("commitsRemoved"), commitRows(changes->commitsRemoved, true)},
                        {QStringLiteral("commitsTruncated"), changes->commitsTruncated},
                        {QStringLiteral("files"), fileRows(changes->files)}});
        return {};
    }
    context.out().text(
        GitCommands::tr("From %1 to %2: %3 commit(s) going out, %4 taken back, %5 file(s) changed.")
            .arg(changes->baseId.left(12), changes->targetId.left(12))
            .arg(changes->commitsAdded.size())
            .arg(changes->commitsRemoved.size())
            .arg(changes->files.size()));
    if (changes->commitsTruncated)
        context.out().text(GitCommands::tr("(commits cut at --limit)"));
    context.out().text(QString());
    context.out().list(commitColumns(), directedCommits(*changes, false));
    context.out().text(QString());
    context.out().list(fileColumns(), fileRows(changes->files));
    return {};
}

QCommandLineOption limitOption(const QString &defaultValue)
{
    return QCommandLineOption(opt("limit"),
                              GitCommands::tr("At most N commits (default %1).").arg(defaultValue),
                              GitCommands::tr("N"), defaultValue);
}

} // namespace

CommandGroup GitCommands::mirrorGroup()
{
    return CommandGroup{
        opt("mirror"),
        tr("Local mirrors of the projects' git repositories"),
        {{opt("fetch"),
          tr("PROJECT [--key NAME | --key-file PATH | --agent] [--user NAME] [--accept-new-host-key] "
             "[--quiet]"),
          tr("Clone the project's repository into its mirror, or fetch every branch and tag into it; refs "
             "deleted upstream are pruned. Ctrl-C cancels."),
          {QCommandLineOption(opt("key"), tr("Sign in to an ssh remote with this inventory key."),
                              tr("NAME")),
           QCommandLineOption(opt("key-file"), tr("Sign in to an ssh remote with this private key file."),
                              tr("PATH")),
           QCommandLineOption(opt("agent"), tr("Sign in to an ssh remote through ssh-agent.")),
           QCommandLineOption(opt("user"),
                              tr("The ssh user when the URL names none (default: the key's user)."),
                              tr("NAME")),
           QCommandLineOption(
               opt("accept-new-host-key"),
               tr("Trust and remember the ssh host key on first contact (a changed key is always "
                  "refused).")),
           QCommandLineOption(opt("quiet"), tr("No progress on stderr."))},
          1,
          1,
          fetch}}};
}

CommandGroup GitCommands::refsGroup()
{
    return CommandGroup{opt("refs"),
                        tr("Branches, tags and commits of a project's mirror (no network)"),
                        {
                            {opt("branches"),
                             tr("PROJECT"),
                             tr("List the branches with their commit and date."),
                             {},
                             1,
                             1,
                             branches},
                            {opt("tags"),
                             tr("PROJECT"),
                             tr("List the tags, newest first: annotated ones with the tagger's date, "
                                "lightweight ones with the "
                                "commit's."),
                             {},
                             1,
                             1,
                             tags},
                            {opt("commits"),
                             tr("PROJECT [REF] [--limit N]"),
                             tr("The latest commits of REF (default: the project's default branch)."),
                             {limitOption(QStringLiteral("20"))},
                             1,
                             2,
                             commits},
                            {opt("resolve"),
                             tr("PROJECT REF"),
                             tr("The full commit id of a branch, tag, short id or full id."),
                             {},
                             2,
                             2,
                             resolve},
                        }};
}

CommandGroup GitCommands::diffGroup()
{
    const QList<QCommandLineOption> options{limitOption(QStringLiteral("1000"))};
    return CommandGroup{
        opt("diff"),
        tr("What a release from BASE to TARGET sends out (no network)"),
        {
            {opt("show"), tr("PROJECT BASE TARGET [--limit N]"),
             tr("The commits going out (+) and taken back (-), and the changed files."), options, 3, 3,
             diffShow},
            {opt("commits"), tr("PROJECT BASE TARGET [--limit N]"),
             tr("Only the commits going out (+) and taken back (-)."), options, 3, 3, diffCommits},
            {opt("files"), tr("PROJECT BASE TARGET"),
             tr("Only the changed files: added, modified, deleted, renamed (with rename detection)."),
             options, 3, 3, diffFiles},
        }};
}

} // namespace rd
