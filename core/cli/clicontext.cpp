#include "clicontext.h"

#include "hostkeys/knownhosts.h"
#include "inventory/validator.h"

namespace rd {

CliContext::CliContext(QString dataDir, bool json, bool passwordStdin)
    : m_dataDir(std::move(dataDir)), m_output(json), m_passwords(passwordStdin)
{
}

CommandResult<Workspace *> CliContext::workspace()
{
    if (!m_workspace) {
        auto opened = Workspace::open(m_dataDir);
        if (!opened)
            return commandFailure(ExitCode::Runtime, opened.error());
        m_workspace = std::move(*opened);
    }
    return m_workspace.get();
}

CommandResult<InventoryStore *> CliContext::store()
{
    auto opened = workspace();
    if (!opened)
        return std::unexpected(opened.error());
    return &(*opened)->store();
}

CommandResult<KnownHosts *> CliContext::knownHosts()
{
    auto opened = workspace();
    if (!opened)
        return std::unexpected(opened.error());
    return &(*opened)->knownHosts();
}

CommandResult<Vault *> CliContext::vault()
{
    auto opened = workspace();
    if (!opened)
        return std::unexpected(opened.error());
    return &(*opened)->vault();
}

CommandResult<Vault *> CliContext::unlockedVault()
{
    auto v = vault();
    if (!v)
        return v;
    if ((*v)->isUnlocked())
        return v;
    if (!(*v)->isInitialized())
        return commandFailure(ExitCode::Vault, tr("The vault is not initialized."),
                              tr("Create it first with: releasedesk-cli vault init"));
    auto password = m_passwords.read(QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), tr("Master password"),
                                     false, ExitCode::Vault);
    if (!password)
        return std::unexpected(password.error());
    if (auto unlocked = (*v)->unlock(password->view()); !unlocked)
        return std::unexpected(vaultFailure(unlocked.error()));
    return v;
}

CommandResult<> CliContext::unlockVaultFor(const QList<Server> &servers)
{
    auto opened = workspace();
    if (!opened)
        return std::unexpected(opened.error());
    if ((*opened)->needsVault(servers))
        if (auto unlocked = unlockedVault(); !unlocked)
            return std::unexpected(unlocked.error());
    return {};
}

CommandResult<SshKey> CliContext::findKey(const QString &name)
{
    auto s = store();
    if (!s)
        return std::unexpected(s.error());
    const qint64 id = (*s)->keyId(name);
    if (!id)
        return commandFailure(ExitCode::NotFound, tr("There is no key named \"%1\".").arg(name),
                              tr("List the keys with: releasedesk-cli key list"), QStringLiteral("key"));
    auto key = (*s)->key(id);
    if (!key)
        return std::unexpected(fromStore(key.error()));
    return *key;
}

CommandResult<Server> CliContext::findServer(const QString &name)
{
    auto s = store();
    if (!s)
        return std::unexpected(s.error());
    const qint64 id = (*s)->serverId(name);
    if (!id)
        return commandFailure(ExitCode::NotFound, tr("There is no server named \"%1\".").arg(name),
                              tr("List the servers with: releasedesk-cli server list"),
                              QStringLiteral("server"));
    auto server = (*s)->server(id);
    if (!server)
        return std::unexpected(fromStore(server.error()));
    return *server;
}

CommandResult<Project> CliContext::findProject(const QString &name)
{
    auto s = store();
    if (!s)
        return std::unexpected(s.error());
    const qint64 id = (*s)->projectId(name);
    if (!id)
        return commandFailure(ExitCode::NotFound, tr("There is no project named \"%1\".").arg(name),
                              tr("List the projects with: releasedesk-cli project list"),
                              QStringLiteral("project"));
    auto project = (*s)->project(id);
    if (!project)
        return std::unexpected(fromStore(project.error()));
    return *project;
}

CommandResult<Environment> CliContext::findEnvironment(const QString &path)
{
    const qsizetype slash = path.indexOf(u'/');
    if (slash <= 0 || slash == path.size() - 1 || path.indexOf(u'/', slash + 1) >= 0)
        return commandFailure(ExitCode::Usage, tr("\"%1\" does not name an environment.").arg(path),
                              tr("Write it as PROJECT/ENV, for example shop/prod."),
                              QStringLiteral("environment"));
    auto project = findProject(path.left(slash));
    if (!project)
        return std::unexpected(project.error());
    const QString name = path.mid(slash + 1);
    auto s = store();
    const qint64 id = (*s)->environmentId(project->name, name);
    if (!id)
        return commandFailure(ExitCode::NotFound,
                              tr("Project \"%1\" has no environment named \"%2\".").arg(project->name, name),
                              tr("List them with: releasedesk-cli env list --project %1").arg(project->name),
                              QStringLiteral("environment"));
    auto environment = (*s)->environment(id);
    if (!environment)
        return std::unexpected(fromStore(environment.error()));
    return *environment;
}

CommandResult<HookTemplate> CliContext::findHook(const QString &title)
{
    auto s = store();
    if (!s)
        return std::unexpected(s.error());
    const qint64 id = (*s)->hookTemplateId(title);
    if (!id)
        return commandFailure(ExitCode::NotFound, tr("There is no hook template titled \"%1\".").arg(title),
                              tr("List them with: releasedesk-cli hook list"), QStringLiteral("hook"));
    auto hook = (*s)->hookTemplate(id);
    if (!hook)
        return std::unexpected(fromStore(hook.error()));
    return *hook;
}

CommandResult<> CliContext::checkNewName(const QString &name, qint64 existingId, qint64 selfId,
                                         const QString &what)
{
    if (auto error = Validator::name(name))
        return commandFailure(ExitCode::Invalid, *error);
    if (existingId && existingId != selfId)
        return commandFailure(ExitCode::Conflict,
                              tr("The name \"%1\" is already taken by another %2.").arg(name, what),
                              tr("Choose another name."), QStringLiteral("name"));
    return {};
}

CommandResult<> CliContext::checkFields(const QList<Error> &errors)
{
    if (errors.isEmpty())
        return {};
    return commandFailure(ExitCode::Invalid, Validator::combine(errors));
}

CommandError CliContext::fromStore(const Error &error)
{
    return CommandError{error.field.isEmpty() ? ExitCode::Runtime : ExitCode::Invalid, error};
}

CommandError CliContext::vaultFailure(const Error &error)
{
    if (error.field == u"masterPassword" || error.field == u"oldPassword")
        return CommandError{ExitCode::Vault, error};
    return fromStore(error);
}

CommandResult<int> CliContext::integer(const QString &text, const QString &field, int minimum, int maximum)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < minimum || value > maximum)
        return commandFailure(ExitCode::Invalid,
                              tr("The %1 \"%2\" is not a whole number from %3 to %4.")
                                  .arg(field, text)
                                  .arg(minimum)
                                  .arg(maximum),
                              tr("Give a number in that range."), field);
    return value;
}

} // namespace rd
