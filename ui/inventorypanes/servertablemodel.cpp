#include "servertablemodel.h"

#include <QPalette>

namespace rd {

namespace {
enum Column { Name, Host, Port, Key, User, Department, Owner, Tags, Enabled, ColumnCount };
}

void ServerTableModel::setServers(const QList<Server> &servers, const QHash<qint64, QString> &keyNames)
{
    beginResetModel();
    m_servers = servers;
    m_keyNames = keyNames;
    endResetModel();
}

int ServerTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

int ServerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServerTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Server &server = m_servers.at(index.row());
    if (role == Qt::ForegroundRole && !server.enabled)
        return QPalette().brush(QPalette::Disabled, QPalette::Text);
    if (role == Qt::TextAlignmentRole && index.column() == Port)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return server.name;
    case Host:
        return server.host;
    case Port:
        return server.port;
    case Key:
        return m_keyNames.value(server.keyId);
    case User:
        return server.username;
    case Department:
        return server.department;
    case Owner:
        return server.owner;
    case Tags:
        return server.tags.join(QStringLiteral(", "));
    case Enabled:
        return server.enabled ? tr("yes") : tr("no");
    }
    return {};
}

QVariant ServerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Host:
        return tr("Host");
    case Port:
        return tr("Port");
    case Key:
        return tr("Key");
    case User:
        return tr("User");
    case Department:
        return tr("Department");
    case Owner:
        return tr("Owner");
    case Tags:
        return tr("Tags");
    case Enabled:
        return tr("Enabled");
    }
    return {};
}

} // namespace rd
