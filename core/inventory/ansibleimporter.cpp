#include "ansibleimporter.h"

#include "ansiblemembership.h"
#include "inventorystore.h"
#include "sshconfigimporter.h"
#include "validator.h"

#include <QDir>

namespace rd::ansible {

namespace {

QString absoluteKeyPath(const QString &path)
{
    if (path.startsWith(QStringLiteral("~/")))
        return QDir::cleanPath(QDir::homePath() + path.mid(1));
    if (!path.startsWith(u'/'))
        return QDir::cleanPath(QDir::homePath() + u'/' + path);
    return QDir::cleanPath(path);
}

class Importer
{
public:
    Importer(InventoryStore &store, const Model &model, AnsibleInventory::GroupsAs groupsAs,
             const QString &projectName, const QString &deployRoot)
        : m_store(store), m_model(model), m_groupsAs(groupsAs), m_projectName(projectName),
          m_deployRoot(deployRoot)
    {
    }

    Result<ImportReport> run()
    {
        auto membership = Membership::resolve(m_model);
        if (!membership)
            return std::unexpected(membership.error());
        m_membership = std::move(*membership);
        m_vars = m_membership.hostVars(m_model);
        auto written = m_store.transaction([this]() -> Result<> {
            for (const HostEntry &host : m_model.hosts) {
                if (auto saved = importHost(host); !saved)
                    return saved;
            }
            for (const GroupEntry &group : m_model.groups) {
                if (group.name == AllGroup || group.name == UngroupedGroup)
                    continue;
                if (auto saved = importGroup(group); !saved)
                    return saved;
            }
            return {};
        });
        if (!written)
            return std::unexpected(written.error());
        return m_report;
    }

private:
    void skip(const QString &what, int line, const QString &why)
    {
        ++m_report.skipped;
        m_report.warnings.append(
            AnsibleInventory::tr("Line %1: %2 was skipped: %3").arg(line).arg(what, why));
    }

    Error entryError(const Error &error, const QString &what, int line) const
    {
        return Error{AnsibleInventory::tr("Line %1: %2 is not valid: %3").arg(line).arg(what, error.message),
                     error.hint, error.field};
    }

    Result<qint64> keyFor(const Vars &vars, const QString &user)
    {
        const QString keyFile =
            text(vars.value(KeyFileVar, vars.value(QStringLiteral("ansible_private_key_file"))));
        const QString keyName = text(vars.value(KeyVar));
        const QString keyUser = text(vars.value(KeyUserVar)).isEmpty() ? user : text(vars.value(KeyUserVar));
        if (!keyName.isEmpty()) {
            if (const qint64 id = m_store.keyId(keyName))
                return id;
            SshKey key;
            key.name = keyName;
            key.username = keyUser;
            key.kind = keyFile.isEmpty() ? KeyKind::Agent : KeyKind::File;
            key.keyPath = keyFile.isEmpty() ? QString() : absoluteKeyPath(keyFile);
            auto id = m_store.addKey(key);
            if (id)
                ++m_report.added;
            return id;
        }
        if (!keyFile.isEmpty())
            return SshConfigImporter::fileKey(m_store, absoluteKeyPath(keyFile), keyUser, m_report);
        return SshConfigImporter::agentKey(m_store, keyUser, m_report);
    }

    Result<> importHost(const HostEntry &entry)
    {
        const QString what = AnsibleInventory::tr("host \"%1\"").arg(entry.name);
        if (auto error = Validator::name(entry.name)) {
            skip(what, entry.line, error->text());
            return {};
        }
        const Vars &vars = m_vars[entry.name];
        Server server;
        const qint64 existingId = m_store.serverId(entry.name);
        if (existingId) {
            auto existing = m_store.server(existingId);
            if (!existing)
                return std::unexpected(existing.error());
            server = *existing;
        }
        server.name = entry.name;
        server.host = text(vars.value(HostVar)).isEmpty() ? entry.name : text(vars.value(HostVar));
        server.port = 22;
        if (vars.contains(PortVar)) {
            if (auto error = Validator::port(text(vars.value(PortVar)), &server.port))
                return std::unexpected(entryError(*error, what, entry.line));
        }
        if (vars.contains(DepartmentVar))
            server.department = text(vars.value(DepartmentVar));
        if (vars.contains(OwnerVar))
            server.owner = text(vars.value(OwnerVar));
        if (vars.contains(NotesVar))
            server.notes = text(vars.value(NotesVar));
        if (vars.contains(TagsVar))
            server.tags = list(vars.value(TagsVar));
        server.enabled = !vars.contains(EnabledVar) || isTrue(vars.value(EnabledVar));
        if (m_groupsAs == AnsibleInventory::GroupsAs::Tags) {
            for (const GroupEntry &group : m_model.groups) {
                if (group.name == AllGroup || group.name == UngroupedGroup ||
                    group.vars.contains(ProjectVar) || !m_membership.holds(group.name, entry.name) ||
                    server.tags.contains(group.name))
                    continue;
                if (auto error = Validator::tag(group.name))
                    m_report.warnings.append(
                        AnsibleInventory::tr("Line %1: the group \"%2\" did not become a tag: %3")
                            .arg(group.line)
                            .arg(group.name, error->text()));
                else
                    server.tags.append(group.name);
            }
        }
        const QString user = text(vars.value(UserVar)).isEmpty() ? SshConfigImporter::localUserName()
                                                                 : text(vars.value(UserVar));
        auto keyId = keyFor(vars, user);
        if (!keyId)
            return std::unexpected(entryError(keyId.error(), what, entry.line));
        server.keyId = *keyId;
        auto key = m_store.key(server.keyId);
        if (!key)
            return std::unexpected(key.error());
        // The key already names the login; the server names one only when it differs.
        server.username = key->username == user ? QString() : user;

        if (existingId) {
            if (auto saved = m_store.updateServer(server); !saved)
                return std::unexpected(entryError(saved.error(), what, entry.line));
            ++m_report.updated;
        } else {
            if (auto added = m_store.addServer(server); !added)
                return std::unexpected(entryError(added.error(), what, entry.line));
            ++m_report.added;
        }
        return {};
    }

    QList<qint64> serverIds(const GroupEntry &group) const
    {
        QList<qint64> ids;
        for (const QString &host : m_membership.members(group.name)) {
            if (const qint64 id = m_store.serverId(host))
                ids.append(id);
        }
        return ids;
    }

    Result<qint64> projectFor(const GroupEntry &group, const QString &what)
    {
        const QString name = text(group.vars.value(ProjectVar));
        const qint64 existingId = m_store.projectId(name);
        if (!group.vars.contains(GitUrlVar)) {
            if (!existingId)
                return std::unexpected(
                    lineError(group.line,
                              AnsibleInventory::tr("%1 belongs to the project \"%2\", "
                                                   "which is not in the inventory.")
                                  .arg(what, name),
                              AnsibleInventory::tr("Create the project first, or export with "
                                                   "its git URL.")));
            return existingId;
        }
        Project project;
        if (existingId) {
            auto existing = m_store.project(existingId);
            if (!existing)
                return std::unexpected(existing.error());
            project = *existing;
        }
        project.name = name;
        project.gitUrl = text(group.vars.value(GitUrlVar));
        if (group.vars.contains(BranchVar))
            project.defaultBranch = text(group.vars.value(BranchVar));
        if (group.vars.contains(KeepVar))
            project.keepReleases = text(group.vars.value(KeepVar)).toInt();
        if (group.vars.contains(ExcludesVar))
            project.packageExcludes = list(group.vars.value(ExcludesVar));
        if (group.vars.contains(UnauthenticatedVar))
            project.allowUnauthenticated = isTrue(group.vars.value(UnauthenticatedVar));
        const QString projectWhat = AnsibleInventory::tr("the project \"%1\" of %2").arg(name, what);
        if (existingId) {
            if (auto saved = m_store.updateProject(project); !saved)
                return std::unexpected(entryError(saved.error(), projectWhat, group.line));
            ++m_report.updated;
            return existingId;
        }
        auto added = m_store.addProject(project);
        if (!added)
            return std::unexpected(entryError(added.error(), projectWhat, group.line));
        ++m_report.added;
        return *added;
    }

    Result<> importGroup(const GroupEntry &group)
    {
        const QString what = AnsibleInventory::tr("group \"%1\"").arg(group.name);
        const bool ours = group.vars.contains(ProjectVar);
        if (!ours && m_groupsAs == AnsibleInventory::GroupsAs::Tags)
            return {};
        Environment environment;
        QString projectName = m_projectName;
        if (ours) {
            auto projectId = projectFor(group, what);
            if (!projectId)
                return std::unexpected(projectId.error());
            environment.projectId = *projectId;
            projectName = text(group.vars.value(ProjectVar));
            environment.name = text(group.vars.value(EnvironmentVar));
        } else {
            environment.projectId = m_store.projectId(m_projectName);
            if (!environment.projectId)
                return std::unexpected(
                    lineError(group.line,
                              AnsibleInventory::tr("%1 should become an environment of "
                                                   "the project \"%2\", which does "
                                                   "not exist.")
                                  .arg(what, m_projectName),
                              AnsibleInventory::tr("Create the project first, or import the "
                                                   "groups as tags.")));
            environment.name = group.name;
            if (auto error = Validator::name(environment.name)) {
                skip(what, group.line, error->text());
                return {};
            }
        }
        const qint64 existingId = m_store.environmentId(projectName, environment.name);
        if (existingId) {
            auto existing = m_store.environment(existingId);
            if (!existing)
                return std::unexpected(existing.error());
            environment = *existing;
        }
        environment.serverIds = serverIds(group);
        if (group.vars.contains(DeployRootVar))
            environment.deployRoot = text(group.vars.value(DeployRootVar));
        else if (!m_deployRoot.isEmpty())
            environment.deployRoot = m_deployRoot;
        if (group.vars.contains(ParallelismVar))
            environment.parallelism = text(group.vars.value(ParallelismVar)).toInt();
        if (group.vars.contains(StrategyVar))
            environment.strategy = text(group.vars.value(StrategyVar));
        if (group.vars.contains(SharedPathsVar))
            environment.sharedPaths = list(group.vars.value(SharedPathsVar));
        if (existingId) {
            if (auto saved = m_store.updateEnvironment(environment); !saved)
                return std::unexpected(entryError(saved.error(), what, group.line));
            ++m_report.updated;
        } else {
            if (auto added = m_store.addEnvironment(environment); !added)
                return std::unexpected(entryError(added.error(), what, group.line));
            ++m_report.added;
        }
        return {};
    }

    InventoryStore &m_store;
    const Model &m_model;
    AnsibleInventory::GroupsAs m_groupsAs;
    QString m_projectName;
    QString m_deployRoot;
    Membership m_membership;
    QHash<QString, Vars> m_vars;
    ImportReport m_report;
};

} // namespace

Result<ImportReport> importModel(InventoryStore &store, const Model &model,
                                 AnsibleInventory::GroupsAs groupsAs, const QString &projectName,
                                 const QString &deployRoot)
{
    return Importer(store, model, groupsAs, projectName, deployRoot).run();
}

} // namespace rd::ansible
