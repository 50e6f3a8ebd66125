#include "serverlistmodel.h"
#include "inventorypanes/serveridsmime.h"

#include <QMimeData>
#include <QPalette>

#include <algorithm>

namespace rd {

ServerListModel::ServerListModel(Kind kind, QObject *parent) : QAbstractTableModel(parent), m_kind(kind) {}

void ServerListModel::setServers(const QList<Server> &servers)
{
    beginResetModel();
    m_servers = servers;
    endResetModel();
}

QList<qint64> ServerListModel::ids() const
{
    QList<qint64> result;
    result.reserve(m_servers.size());
    for (const Server &server : m_servers)
        result.append(server.id);
    return result;
}

int ServerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

int ServerListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : (m_kind == Kind::Ordered ? 3 : 2);
}

QVariant ServerListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Server &server = m_servers.at(index.row());
    if (role == Qt::ForegroundRole && !server.enabled)
        return QPalette().brush(QPalette::Disabled, QPalette::Text);
    if (role != Qt::DisplayRole)
        return {};
    const int column = m_kind == Kind::Ordered ? index.column() : index.column() + 1;
    switch (column) {
    case 0:
        return index.row() + 1;
    case 1:
        return server.name;
    case 2:
        return server.host;
    }
    return {};
}

QVariant ServerListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    const int column = m_kind == Kind::Ordered ? section : section + 1;
    switch (column) {
    case 0:
        return tr("#");
    case 1:
        return tr("Server");
    case 2:
        return tr("Host");
    }
    return {};
}

Qt::ItemFlags ServerListModel::flags(const QModelIndex &index) const
{
    // Items are not drop targets themselves, so a drop lands between rows (at a position).
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
}

QStringList ServerListModel::mimeTypes() const
{
    return {ServerIdsMime::mimeType()};
}

QMimeData *ServerListModel::mimeData(const QModelIndexList &indexes) const
{
    QList<int> rows;
    for (const QModelIndex &index : indexes) {
        if (index.isValid() && !rows.contains(index.row()))
            rows.append(index.row());
    }
    std::sort(rows.begin(), rows.end());
    QList<qint64> ids;
    for (int row : rows)
        ids.append(m_servers.at(row).id);
    return ServerIdsMime::create(ids);
}

Qt::DropActions ServerListModel::supportedDragActions() const
{
    return Qt::CopyAction | Qt::MoveAction;
}

Qt::DropActions ServerListModel::supportedDropActions() const
{
    return Qt::CopyAction | Qt::MoveAction;
}

bool ServerListModel::canDropMimeData(const QMimeData *data, Qt::DropAction, int, int, const QModelIndex &) const
{
    return data && data->hasFormat(ServerIdsMime::mimeType());
}

bool ServerListModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                   const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    const QList<qint64> ids = ServerIdsMime::read(data);
    if (ids.isEmpty())
        return false;
    int position = row;
    if (position < 0 && parent.isValid())
        position = parent.row();
    emit serversDropped(ids, position);
    // The pane saves the change and reloads; removeRows() is not implemented, so a move never lets
    // the drag source delete rows on its own.
    return true;
}

} // namespace rd
