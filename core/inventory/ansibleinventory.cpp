#include "ansibleinventory.h"

#include "inventorystore.h"
#include "sshconfigimporter.h"
#include "validator.h"

#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>

namespace rd {

namespace {


const QString AllGroup = QStringLiteral("all");
const QString UngroupedGroup = QStringLiteral("ungrouped");

// Host vars, in the order they are written.
const QString HostVar = QStringLiteral("ansible_host");
const QString PortVar = QStringLiteral("ansible_port");
const QString UserVar = QStringLiteral("ansible_user");
const QString KeyFileVar = QStringLiteral("ansible_ssh_private_key_file");
const QString DepartmentVar = QStringLiteral("releasedesk_department");
const QString EnabledVar = QStringLiteral("releasedesk_enabled");
const QString KeyVar = QStringLiteral("releasedesk_key");
const QString KeyUserVar = QStringLiteral("releasedesk_key_user");
const QString NotesVar = QStringLiteral("releasedesk_notes");
const QString OwnerVar = QStringLiteral("releasedesk_owner");
const QString TagsVar = QStringLiteral("releasedesk_tags");

// Group vars of an exported environment, and of its project so it can be recreated elsewhere.
const QString ProjectVar = QStringLiteral("releasedesk_project");
const QString EnvironmentVar = QStringLiteral("releasedesk_environment");
const QString DeployRootVar = QStringLiteral("releasedesk_deploy_root");
const QString ParallelismVar = QStringLiteral("releasedesk_parallelism");
const QString StrategyVar = QStringLiteral("releasedesk_strategy");
const QString SharedPathsVar = QStringLiteral("releasedesk_shared_paths");
const QString GitUrlVar = QStringLiteral("releasedesk_git_url");
const QString BranchVar = QStringLiteral("releasedesk_default_branch");
const QString KeepVar = QStringLiteral("releasedesk_keep_releases");
const QString ExcludesVar = QStringLiteral("releasedesk_package_excludes");
const QString UnauthenticatedVar = QStringLiteral("releasedesk_allow_unauthenticated");

// A variable is text or a list of texts; anything else (maps, in YAML) is kept as null and unused.
using Vars = QMap<QString, QVariant>;
using VarList = QList<std::pair<QString, QVariant>>;

struct HostEntry
{
    QString name;
    Vars vars;
    int line = 0;
};

struct GroupEntry
{
    QString name;
    QStringList hosts;
    QStringList children;
    Vars vars;
    int line = 0;
    QSet<QString> hostSet;
    QSet<QString> childSet;

    void addHost(const QString &host)
    {
        if (!hostSet.contains(host)) {
            hostSet.insert(host);
            hosts.append(host);
        }
    }

    void addChild(const QString &child)
    {
        if (!childSet.contains(child)) {
            childSet.insert(child);
            children.append(child);
        }
    }
};

// Ceilings far above a real fleet's inventory (issue: 5,000 servers), so a crafted or mistaken file
// ends in an error naming the limit instead of exhausting memory or time.
constexpr qsizetype MaxHosts = 50000;
constexpr qsizetype MaxGroups = 10000;
constexpr int MaxNesting = 32;
// YAML aliases let a short file name the same subtree again and again; every group, host and
// variable read counts, however it was reached.
constexpr qsizetype MaxYamlEntries = 1000000;
// Host-in-group pairs, children included: groups × hosts grows fast when every group holds all.
constexpr qsizetype MaxMemberships = 1000000;

struct Model
{
    QList<HostEntry> hosts;
    QHash<QString, qsizetype> hostIndex;
    QList<GroupEntry> groups;
    QHash<QString, qsizetype> groupIndex;

    HostEntry &host(const QString &name, int line)
    {
        if (!hostIndex.contains(name)) {
            hostIndex.insert(name, hosts.size());
            hosts.append(HostEntry{name, {}, line});
        }
        return hosts[hostIndex.value(name)];
    }

    GroupEntry &group(const QString &name, int line)
    {
        if (!groupIndex.contains(name)) {
            groupIndex.insert(name, groups.size());
            groups.append(GroupEntry{name, {}, {}, {}, line, {}, {}});
        }
        return groups[groupIndex.value(name)];
    }

    std::optional<Error> overLimits(int line) const;
};

Error lineError(int line, const QString &message, const QString &hint = {})
{
    return Error{AnsibleInventory::tr("Line %1: %2").arg(line).arg(message),
                 hint.isEmpty() ? AnsibleInventory::tr("Correct the inventory file and import it again.") : hint,
                 QStringLiteral("line %1").arg(line)};
}

std::optional<Error> Model::overLimits(int line) const
{
    if (hosts.size() > MaxHosts)
        return lineError(line, AnsibleInventory::tr("the inventory names more than %1 hosts.").arg(MaxHosts),
                         AnsibleInventory::tr("Split the inventory and import the parts one after another."));
    if (groups.size() > MaxGroups)
        return lineError(line, AnsibleInventory::tr("the inventory names more than %1 groups.").arg(MaxGroups),
                         AnsibleInventory::tr("Split the inventory and import the parts one after another."));
    return std::nullopt;
}

// Ansible's booleans as an inventory writes them: anything but false, no or 0 is true.
bool isTrue(const QVariant &value)
{
    return !QStringList{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("0")}.contains(
        value.toString().toLower());
}

QString text(const QVariant &value) { return value.typeId() == QMetaType::QString ? value.toString() : QString(); }

// Lists come as YAML sequences, or in INI as a JSON array (what Ansible reads as a list too) or a
// comma-separated text written by hand.
QStringList list(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList)
        return value.toStringList();
    const QString written = text(value).trimmed();
    if (written.startsWith(u'[')) {
        QStringList items;
        for (const QJsonValue &item : QJsonDocument::fromJson(written.toUtf8()).array())
            items.append(item.toString());
        return items;
    }
    QStringList items;
    for (const QString &item : written.split(u',', Qt::SkipEmptyParts))
        items.append(item.trimmed());
    return items;
}

// ---- host patterns

// Expands Ansible's ranges: web[01:03] -> web01 web02 web03, db-[a:c] -> db-a db-b db-c, [0:10:5].
Result<QStringList> expandRanges(const QString &pattern, int line)
{
    static const QRegularExpression range(QStringLiteral("\\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\\]"));
    const auto match = range.match(pattern);
    if (!match.hasMatch()) {
        if (pattern.contains(u'[') || pattern.contains(u']'))
            return std::unexpected(lineError(line, AnsibleInventory::tr("the host range in \"%1\" is not valid.").arg(pattern),
                                             AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
        return QStringList{pattern};
    }
    const QString head = pattern.left(match.capturedStart());
    const QString begin = match.captured(1);
    const QString end = match.captured(2);
    const int step = match.captured(3).isEmpty() ? 1 : match.captured(3).toInt();
    auto rest = expandRanges(pattern.mid(match.capturedEnd()), line);
    if (!rest)
        return rest;
    QStringList names;
    // One range may hold up to 100,000 names and a whole pattern as many: a typo must not hang the import.
    constexpr qsizetype MaxNames = 100000;
    if (step < 1 || step > MaxNames)
        return std::unexpected(lineError(line, AnsibleInventory::tr("the step of the host range in \"%1\" is not valid.")
                                                   .arg(pattern),
                                         AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
    const bool numeric = begin.front().isDigit() && end.front().isDigit();
    if (numeric) {
        const int from = begin.toInt();
        const int to = end.toInt();
        const int width = begin.size() > 1 && begin.startsWith(u'0') ? int(begin.size()) : 0;
        if (from > to || step < 1 || to - from > 100000)
            return std::unexpected(lineError(line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.")
                                                       .arg(pattern)));
        if ((qint64(to - from) / step + 1) * rest->size() > MaxNames)
            return std::unexpected(lineError(line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.")
                                                       .arg(pattern)));
        for (int i = from; i <= to; i += step)
            for (const QString &tail : *rest)
                names.append(head + QStringLiteral("%1").arg(i, width, 10, QLatin1Char('0')) + tail);
    } else if (!begin.front().isDigit() && !end.front().isDigit() && begin <= end && step >= 1) {
        if (qint64((end.front().unicode() - begin.front().unicode()) / step + 1) * rest->size() > MaxNames)
            return std::unexpected(lineError(line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.")
                                                       .arg(pattern)));
        for (int c = begin.front().unicode(); c <= end.front().unicode(); c += step)
            for (const QString &tail : *rest)
                names.append(head + QChar(char16_t(c)) + tail);
    } else {
        return std::unexpected(lineError(line, AnsibleInventory::tr("the host range in \"%1\" is not valid.").arg(pattern),
                                         AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
    }
    return names;
}

// ---- INI

// Splits a host line as Ansible's shlex does: blanks separate, '...' is literal, "..." knows \" \\ \n \t.
Result<QStringList> splitWords(const QString &line, int lineNumber)
{
    QStringList words;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i].isSpace())
            ++i;
        if (i >= line.size() || line[i] == u'#')
            break;
        QString word;
        while (i < line.size() && !line[i].isSpace()) {
            const QChar c = line[i];
            if (c == u'\'') {
                const qsizetype close = line.indexOf(u'\'', i + 1);
                if (close < 0)
                    return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("a quote is not closed.")));
                word += line.mid(i + 1, close - i - 1);
                i = close + 1;
            } else if (c == u'"') {
                ++i;
                bool closed = false;
                while (i < line.size()) {
                    QChar d = line[i++];
                    if (d == u'"') {
                        closed = true;
                        break;
                    }
                    if (d == u'\\' && i < line.size()) {
                        d = line[i++];
                        word += d == u'n' ? QChar(u'\n') : d == u't' ? QChar(u'\t') : d;
                    } else {
                        word += d;
                    }
                }
                if (!closed)
                    return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("a quote is not closed.")));
            } else {
                word += c;
                ++i;
            }
        }
        words.append(word);
    }
    return words;
}

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

Result<Model> parseIni(const QByteArray &data)
{
    Model model;
    enum class Kind { Hosts, Vars, Children };
    QString section = UngroupedGroup;
    Kind kind = Kind::Hosts;
    model.group(AllGroup, 0);
    const QStringList lines = QString::fromUtf8(data).split(u'\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index + 1);
        const QString line = lines[index].trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (line.startsWith(u'[')) {
            if (!line.endsWith(u']'))
                return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("the section header \"%1\" is not closed.")
                                                                 .arg(line)));
            const QString inner = line.mid(1, line.size() - 2).trimmed();
            const qsizetype colon = inner.lastIndexOf(u':');
            const QString suffix = colon < 0 ? QString() : inner.mid(colon + 1);
            section = colon < 0 ? inner : inner.left(colon);
            if (suffix.isEmpty() && colon < 0)
                kind = Kind::Hosts;
            else if (suffix == u"vars")
                kind = Kind::Vars;
            else if (suffix == u"children")
                kind = Kind::Children;
            else
                return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("the section \"%1\" is not a group, :vars or "
                                                                    ":children section.").arg(line)));
            if (section.isEmpty() || section.contains(u' '))
                return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("the group name in \"%1\" is not valid.")
                                                                 .arg(line)));
            model.group(section, lineNumber);
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            continue;
        }
        switch (kind) {
        case Kind::Hosts: {
            auto words = splitWords(line, lineNumber);
            if (!words)
                return std::unexpected(words.error());
            QString pattern = words->takeFirst();
            Vars vars;
            for (const QString &word : *words) {
                const qsizetype equals = word.indexOf(u'=');
                if (equals <= 0)
                    return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("\"%1\" is not a key=value host variable.")
                                                                     .arg(word)));
                vars.insert(word.left(equals), word.mid(equals + 1));
            }
            // "host:port", Ansible's short form (one colon only: IPv6 addresses have several).
            if (pattern.count(u':') == 1 && !pattern.contains(u'[')) {
                const qsizetype colon = pattern.indexOf(u':');
                vars.insert(PortVar, pattern.mid(colon + 1));
                pattern.truncate(colon);
            }
            auto names = expandRanges(pattern, lineNumber);
            if (!names)
                return std::unexpected(names.error());
            for (const QString &name : *names) {
                HostEntry &host = model.host(name, lineNumber);
                host.vars.insert(vars);
                model.group(section, lineNumber).addHost(name);
            }
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            break;
        }
        case Kind::Vars: {
            const qsizetype equals = line.indexOf(u'=');
            if (equals <= 0)
                return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("\"%1\" is not a key=value group variable.")
                                                                 .arg(line)));
            const QString raw = line.mid(equals + 1).trimmed();
            auto words = splitWords(raw, lineNumber);
            if (!words)
                return std::unexpected(words.error());
            model.group(section, lineNumber)
                .vars.insert(line.left(equals).trimmed(), words->size() == 1 ? words->first() : raw);
            break;
        }
        case Kind::Children: {
            if (line.contains(u' '))
                return std::unexpected(lineError(lineNumber, AnsibleInventory::tr("\"%1\" is not a group name.").arg(line)));
            model.group(line, lineNumber);
            model.group(section, lineNumber).addChild(line);
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            break;
        }
        }
    }
    return model;
}

// ---- YAML

int lineOf(const YAML::Node &node) { return node.Mark().line + 1; }

QString qs(const std::string &s) { return QString::fromStdString(s); }

QVariant yamlValue(const YAML::Node &node)
{
    if (node.IsScalar())
        return qs(node.Scalar());
    if (node.IsNull())
        return QString();
    if (node.IsSequence()) {
        QStringList items;
        for (const YAML::Node &item : node)
            items.append(item.IsScalar() ? qs(item.Scalar()) : QString());
        return items;
    }
    return QVariant();
}

// Reads the YAML inventory into the model, counting every entry it reads against MaxYamlEntries.
class YamlReader
{
public:
    Result<Model> read(const QByteArray &data)
    {
        m_model.group(AllGroup, 0);
        try {
            const YAML::Node root = YAML::Load(data.toStdString());
            if (root.IsNull())
                return m_model;
            if (!root.IsMap())
                return std::unexpected(lineError(lineOf(root), AnsibleInventory::tr("the inventory must be a mapping "
                                                                                  "of groups, usually starting with "
                                                                                  "\"all:\".")));
            for (const auto &entry : root) {
                if (auto parsed = group(qs(entry.first.as<std::string>()), entry.second, 0); !parsed)
                    return std::unexpected(parsed.error());
            }
        } catch (const YAML::Exception &e) {
            return std::unexpected(lineError(e.mark.line + 1, AnsibleInventory::tr("the YAML is not valid: %1")
                                                                  .arg(qs(e.msg))));
        }
        return m_model;
    }

private:
    Result<> spend(const YAML::Node &node, qsizetype entries)
    {
        m_entries += entries;
        if (m_entries > MaxYamlEntries)
            return std::unexpected(lineError(lineOf(node), AnsibleInventory::tr("the inventory expands to more than "
                                                                              "%1 entries.")
                                                               .arg(MaxYamlEntries),
                                             AnsibleInventory::tr("YAML aliases (*name) that repeat whole groups "
                                                                  "can do this; write the groups out instead.")));
        if (auto error = m_model.overLimits(lineOf(node)))
            return std::unexpected(*error);
        return {};
    }

    Result<Vars> vars(const YAML::Node &node, const QString &owner)
    {
        Vars vars;
        if (!node || node.IsNull())
            return vars;
        if (!node.IsMap())
            return std::unexpected(lineError(lineOf(node), AnsibleInventory::tr("the variables of %1 must be a "
                                                                              "mapping.")
                                                               .arg(owner)));
        if (auto spent = spend(node, qsizetype(node.size())); !spent)
            return std::unexpected(spent.error());
        for (const auto &entry : node)
            vars.insert(qs(entry.first.as<std::string>()), yamlValue(entry.second));
        return vars;
    }

    Result<> hosts(const QString &name, const YAML::Node &value)
    {
        if (value.IsNull())
            return {};
        if (!value.IsMap())
            return std::unexpected(lineError(lineOf(value), AnsibleInventory::tr("the hosts of \"%1\" must be a "
                                                                               "mapping.")
                                                                .arg(name)));
        for (const auto &hostEntry : value) {
            const QString pattern = qs(hostEntry.first.as<std::string>());
            auto hostVars = vars(hostEntry.second, pattern);
            if (!hostVars)
                return std::unexpected(hostVars.error());
            auto names = expandRanges(pattern, lineOf(hostEntry.first));
            if (!names)
                return std::unexpected(names.error());
            for (const QString &hostName : *names) {
                m_model.host(hostName, lineOf(hostEntry.first)).vars.insert(*hostVars);
                m_model.group(name, 0).addHost(hostName);
            }
            if (auto spent = spend(hostEntry.first, names->size()); !spent)
                return spent;
        }
        return {};
    }

    Result<> group(const QString &name, const YAML::Node &node, int depth)
    {
        if (depth > MaxNesting)
            return std::unexpected(lineError(lineOf(node), AnsibleInventory::tr("groups are nested too deeply.")));
        m_model.group(name, lineOf(node));
        if (auto spent = spend(node, 1); !spent)
            return spent;
        if (!node || node.IsNull())
            return {};
        if (!node.IsMap())
            return std::unexpected(lineError(lineOf(node), AnsibleInventory::tr("the group \"%1\" must be a mapping "
                                                                              "with hosts, vars or children.")
                                                               .arg(name)));
        for (const auto &entry : node) {
            const QString key = qs(entry.first.as<std::string>());
            const YAML::Node &value = entry.second;
            if (key == u"hosts") {
                if (auto read = hosts(name, value); !read)
                    return read;
            } else if (key == u"vars") {
                auto groupVars = vars(value, name);
                if (!groupVars)
                    return std::unexpected(groupVars.error());
                m_model.group(name, 0).vars.insert(*groupVars);
            } else if (key == u"children") {
                if (auto read = children(name, value, depth); !read)
                    return read;
            } else {
                return std::unexpected(lineError(lineOf(entry.first), AnsibleInventory::tr("\"%1\" is not hosts, "
                                                                                         "vars or children.")
                                                                          .arg(key)));
            }
        }
        return {};
    }

    Result<> children(const QString &name, const YAML::Node &value, int depth)
    {
        if (value.IsNull())
            return {};
        if (!value.IsMap())
            return std::unexpected(lineError(lineOf(value), AnsibleInventory::tr("the children of \"%1\" must be a "
                                                                               "mapping.")
                                                                .arg(name)));
        for (const auto &child : value) {
            const QString childName = qs(child.first.as<std::string>());
            if (auto parsed = group(childName, child.second, depth + 1); !parsed)
                return parsed;
            m_model.group(name, 0).addChild(childName);
        }
        return {};
    }

    Model m_model;
    qsizetype m_entries = 0;
};

// ---- what the model means

// Which hosts each group holds, its children's included (in order, each once), and the other way
// round; worked out once per import, with each group resolved once however often it is reached.
class Membership
{
public:
    static Result<Membership> resolve(const Model &model)
    {
        Membership membership;
        for (const GroupEntry &group : model.groups) {
            if (auto resolved = membership.collect(model, group.name, 0); !resolved)
                return std::unexpected(resolved.error());
        }
        return membership;
    }

    QStringList members(const QString &group) const { return m_members.value(group); }
    bool holds(const QString &group, const QString &host) const { return m_groupsOf.value(host).contains(group); }

private:
    Result<> collect(const Model &model, const QString &name, int depth)
    {
        // A group reached again while it is being resolved is a cycle; Ansible warns and goes on too.
        if (m_members.contains(name) || m_visiting.contains(name) || !model.groupIndex.contains(name))
            return {};
        const GroupEntry &group = model.groups[model.groupIndex.value(name)];
        if (depth > MaxNesting)
            return std::unexpected(lineError(group.line, AnsibleInventory::tr("groups are nested too deeply.")));
        m_visiting.insert(name);
        QStringList members = group.hosts;
        QSet<QString> seen = group.hostSet;
        for (const QString &child : group.children) {
            if (auto resolved = collect(model, child, depth + 1); !resolved)
                return resolved;
            for (const QString &host : m_members.value(child)) {
                if (!seen.contains(host)) {
                    seen.insert(host);
                    members.append(host);
                }
            }
        }
        m_visiting.remove(name);
        m_count += members.size();
        if (m_count > MaxMemberships)
            return std::unexpected(lineError(group.line, AnsibleInventory::tr("the groups hold more than %1 hosts "
                                                                            "in all, counting each group a host "
                                                                            "is in.")
                                                             .arg(MaxMemberships),
                                             AnsibleInventory::tr("Split the inventory and import the parts one "
                                                                  "after another.")));
        for (const QString &host : std::as_const(members))
            m_groupsOf[host].insert(name);
        m_members.insert(name, members);
        return {};
    }

    QHash<QString, QStringList> m_members;
    QHash<QString, QSet<QString>> m_groupsOf;
    QSet<QString> m_visiting;
    qsizetype m_count = 0;
};

// Ansible's precedence: all, then groups from the outermost in, then the host's own vars.
QHash<QString, Vars> effectiveHostVars(const Model &model, const Membership &membership)
{
    QHash<QString, int> depth{{AllGroup, 0}};
    QStringList queue{AllGroup};
    for (qsizetype i = 0; i < queue.size(); ++i) {
        const GroupEntry &group = model.groups[model.groupIndex.value(queue[i])];
        for (const QString &child : group.children) {
            if (!depth.contains(child)) {
                depth.insert(child, depth.value(queue[i]) + 1);
                queue.append(child);
            }
        }
    }
    QList<const GroupEntry *> ordered;
    for (const GroupEntry &group : model.groups)
        ordered.append(&group);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const GroupEntry *a, const GroupEntry *b) {
        return std::pair(depth.value(a->name, 1), a->name) < std::pair(depth.value(b->name, 1), b->name);
    });
    QHash<QString, Vars> result;
    for (const HostEntry &host : model.hosts)
        result.insert(host.name, model.groups[model.groupIndex.value(AllGroup)].vars);
    for (const GroupEntry *group : ordered) {
        if (group->name == AllGroup)
            continue;
        for (const QString &host : membership.members(group->name))
            result[host].insert(group->vars);
    }
    for (const HostEntry &host : model.hosts)
        result[host.name].insert(host.vars);
    return result;
}

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
        : m_store(store), m_model(model), m_groupsAs(groupsAs), m_projectName(projectName), m_deployRoot(deployRoot)
    {
    }

    Result<ImportReport> run()
    {
        auto membership = Membership::resolve(m_model);
        if (!membership)
            return std::unexpected(membership.error());
        m_membership = std::move(*membership);
        m_vars = effectiveHostVars(m_model, m_membership);
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
        m_report.warnings.append(AnsibleInventory::tr("Line %1: %2 was skipped: %3").arg(line).arg(what, why));
    }

    Error entryError(const Error &error, const QString &what, int line) const
    {
        return Error{AnsibleInventory::tr("Line %1: %2 is not valid: %3").arg(line).arg(what, error.message),
                     error.hint, error.field};
    }

    Result<qint64> keyFor(const Vars &vars, const QString &user)
    {
        const QString keyFile = text(vars.value(KeyFileVar, vars.value(QStringLiteral("ansible_private_key_file"))));
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
                if (group.name == AllGroup || group.name == UngroupedGroup || group.vars.contains(ProjectVar)
                    || !m_membership.holds(group.name, entry.name) || server.tags.contains(group.name))
                    continue;
                if (auto error = Validator::tag(group.name))
                    m_report.warnings.append(AnsibleInventory::tr("Line %1: the group \"%2\" did not become a tag: %3")
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
                return std::unexpected(lineError(group.line, AnsibleInventory::tr("%1 belongs to the project \"%2\", "
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
                return std::unexpected(lineError(group.line, AnsibleInventory::tr("%1 should become an environment of "
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

// ---- export

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

} // namespace

Result<QByteArray> AnsibleInventory::exportInventory(const InventoryStore &store, Format format)
{
    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    auto servers = store.servers();
    if (!servers)
        return std::unexpected(servers.error());
    auto projects = store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    auto environments = store.environments();
    if (!environments)
        return std::unexpected(environments.error());

    QHash<qint64, SshKey> keyById;
    for (const SshKey &key : *keys)
        keyById.insert(key.id, key);
    QHash<qint64, QString> serverNames;
    QList<std::pair<QString, VarList>> hosts;
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
        group.vars = {{DeployRootVar, environment.deployRoot},
                      {BranchVar, project.defaultBranch},
                      {EnvironmentVar, environment.name},
                      {GitUrlVar, project.gitUrl},
                      {KeepVar, project.keepReleases},
                      {ExcludesVar, project.packageExcludes},
                      {ParallelismVar, environment.parallelism},
                      {ProjectVar, project.name},
                      {SharedPathsVar, environment.sharedPaths},
                      {StrategyVar, environment.strategy}};
        if (project.allowUnauthenticated)
            group.vars.append({UnauthenticatedVar, QStringLiteral("true")});
        groups.append(group);
    }

    if (format == Format::Ini) {
        QString out = QStringLiteral("# ReleaseDesk inventory: one host per server, one group per environment.\n");
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
            return fail(tr("The YAML inventory could not be written: %1").arg(qs(out.GetLastError())));
        return QByteArray(out.c_str(), qsizetype(out.size())) + '\n';
    } catch (const YAML::Exception &e) {
        return fail(tr("The YAML inventory could not be written: %1").arg(qs(e.what())));
    }
}

Result<ImportReport> AnsibleInventory::import(InventoryStore &store, const QByteArray &data, Format format,
                                             GroupsAs groupsAs, const QString &projectName, const QString &deployRoot)
{
    auto model = format == Format::Ini ? parseIni(data) : YamlReader().read(data);
    if (!model)
        return std::unexpected(model.error());
    try {
        return Importer(store, *model, groupsAs, projectName, deployRoot).run();
    } catch (const YAML::Exception &e) {
        return fail(tr("The YAML inventory could not be read: %1").arg(qs(e.what())));
    }
}

} // namespace rd
