#include "ansibleexporter.h"

#include "ansiblemodel.h"
#include "inventorystore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace rd::ansible {

namespace {

QString quoteIni(const QString &value)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9._/@+:,=%~-]+\\z"));
    if (plain.match(value).hasMatch())
        return value;
    if (!value.contains(u'\'') && !value.contains(u'\n') && !value.contains(u'\t') && !value.contains(u'\r'))
        return u'\'' + value + u'\'';
    QString out = QStringLiteral("\"");
    for (QChar c : value) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else if (c == u'\t')
            out += QStringLiteral("\\t");
        else
            out += c;
    }
    return out + u'"';
}

QString iniValue(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList)
        return quoteIni(QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(value.toStringList())).toJson(QJsonDocument::Compact)));
    return quoteIni(value.toString());
}

using ExportHost = std::pair<QString, VarList>;

struct ExportGroup
{
    QString name;
    QStringList hosts;
    VarList vars;
};

void emitYamlValue(YAML::Emitter &out, const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList) {
        out << YAML::BeginSeq;
        for (const QString &item : value.toStringList())
            out << item.toStdString();
        out << YAML::EndSeq;
    } else if (value.typeId() == QMetaType::Int) {
        out << value.toInt();
    } else {
        out << value.toString().toStdString();
    }
}

void emitYamlVars(YAML::Emitter &out, const VarList &vars)
{
    out << YAML::BeginMap;
    for (const auto &[name, value] : vars) {
        out << YAML::Key << name.toStdString() << YAML::Value;
        emitYamlValue(out, value);
    }
    out << YAML::EndMap;
}

// One host per server with its variables, in the inventory's order; `serverNames` by id for the groups.
Result<QList<ExportHost>> exportHosts(const InventoryStore &store, QHash<qint64, QString> &serverNames)
{
    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    auto servers = store.servers();
    if (!servers)
        return std::unexpected(servers.error());
    QHash<qint64, SshKey> keyById;
    for (const SshKey &key : *keys)
        keyById.insert(key.id, key);
    QList<ExportHost> hosts;
    for (const Server &server : *servers) {
        serverNames.insert(server.id, server.name);
        const SshKey key = keyById.value(server.keyId);
        VarList vars{{HostVar, server.host}, {PortVar, server.port}};
        const QString user = server.username.isEmpty() ? key.username : server.username;
        if (!user.isEmpty())
            vars.append({UserVar, user});
        if (key.kind == KeyKind::File && !key.keyPath.isEmpty())
            vars.append({KeyFileVar, key.keyPath});
        if (!server.department.isEmpty())
            vars.append({DepartmentVar, server.department});
        if (!server.enabled)
            vars.append({EnabledVar, QStringLiteral("false")});
        if (server.keyId) {
            vars.append({KeyVar, key.name});
            if (key.username != user)
                vars.append({KeyUserVar, key.username});
        }
        if (!server.notes.isEmpty())
            vars.append({NotesVar, server.notes});
        if (!server.owner.isEmpty())
            vars.append({OwnerVar, server.owner});
        if (!server.tags.isEmpty())
            vars.append({TagsVar, server.tags});
        hosts.append({server.name, vars});
    }
    return hosts;
}

// One group per environment, whose variables carry the environment and its project.
Result<QList<ExportGroup>> exportGroups(const InventoryStore &store,
                                        const QHash<qint64, QString> &serverNames)
{
    auto projects = store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    auto environments = store.environments();
    if (!environments)
        return std::unexpected(environments.error());
    QHash<qint64, Project> projectById;
    for (const Project &project : *projects)
        projectById.insert(project.id, project);
    QList<ExportGroup> groups;
    for (const Environment &environment : *environments) {
        const Project project = projectById.value(environment.projectId);
        ExportGroup group;
        group.name = project.name + u'_' + environment.name;
        for (qint64 id : environment.serverIds)
            group.hosts.append(serverNames.value(id));
        group.vars = {{DeployRootVar, environment.deployRoot},   {BranchVar, project.defaultBranch},
                      {EnvironmentVar, environment.name},        {GitUrlVar, project.gitUrl},
                      {KeepVar, project.keepReleases},           {ExcludesVar, project.packageExcludes},
                      {ParallelismVar, environment.parallelism}, {ProjectVar, project.name},
                      {SharedPathsVar, environment.sharedPaths}, {StrategyVar, environment.strategy}};
        if (project.allowUnauthenticated)
            group.vars.append({UnauthenticatedVar, QStringLiteral("true")});
        groups.append(group);
    }
    return groups;
}

QByteArray writeIni(const QList<ExportHost> &hosts, const QList<ExportGroup> &groups)
{
    QString out =
        QStringLiteral("# ReleaseDesk inventory: one host per server, one group per environment.\n");
    for (const auto &[name, vars] : hosts) {
        out += name;
        for (const auto &[var, value] : vars)
            out += u' ' + var + u'=' + iniValue(value);
        out += u'\n';
    }
    for (const ExportGroup &group : groups) {
        out += QStringLiteral("\n[") + group.name + QStringLiteral("]\n");
        for (const QString &host : group.hosts)
            out += host + u'\n';
        out += QStringLiteral("\n[") + group.name + QStringLiteral(":vars]\n");
        for (const auto &[var, value] : group.vars)
            out += var + u'=' + iniValue(value) + u'\n';
    }
    return out.toUtf8();
}

Result<QByteArray> writeYaml(const QList<ExportHost> &hosts, const QList<ExportGroup> &groups)
{
    try {
        YAML::Emitter out;
        out << YAML::BeginMap << YAML::Key << "all" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
        for (const auto &[name, vars] : hosts) {
            out << YAML::Key << name.toStdString() << YAML::Value;
            emitYamlVars(out, vars);
        }
        out << YAML::EndMap;
        if (!groups.isEmpty()) {
            out << YAML::Key << "children" << YAML::Value << YAML::BeginMap;
            for (const ExportGroup &group : groups) {
                out << YAML::Key << group.name.toStdString() << YAML::Value << YAML::BeginMap;
                out << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
                for (const QString &host : group.hosts)
                    out << YAML::Key << host.toStdString() << YAML::Value << YAML::Null;
                out << YAML::EndMap << YAML::Key << "vars" << YAML::Value;
                emitYamlVars(out, group.vars);
                out << YAML::EndMap;
            }
            out << YAML::EndMap;
        }
        out << YAML::EndMap << YAML::EndMap;
        if (!out.good())
            return fail(AnsibleInventory::tr("The YAML inventory could not be written: %1")
                            .arg(QString::fromStdString(out.GetLastError())));
        return QByteArray(out.c_str(), qsizetype(out.size())) + '\n';
    } catch (const YAML::Exception &e) {
        return fail(AnsibleInventory::tr("The YAML inventory could not be written: %1")
                        .arg(QString::fromUtf8(e.what())));
    }
}

} // namespace

Result<QByteArray> exportStore(const InventoryStore &store, AnsibleInventory::Format format)
{
    QHash<qint64, QString> serverNames;
    auto hosts = exportHosts(store, serverNames);
    if (!hosts)
        return std::unexpected(hosts.error());
    auto groups = exportGroups(store, serverNames);
    if (!groups)
        return std::unexpected(groups.error());
    if (format == AnsibleInventory::Format::Ini)
        return writeIni(*hosts, *groups);
    return writeYaml(*hosts, *groups);
}

} // namespace rd::ansible
