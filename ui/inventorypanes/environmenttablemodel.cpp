#include "environmenttablemodel.h"
#include "inventorypanes/serveridsmime.h"

#include <QMimeData>

namespace rd {

void EnvironmentTableModel::setEnvironments(const QList<Environment> &environments,
                                            const QHash<qint64, QString> &projectNames)
{
    beginResetModel();
    m_environments = environments;
    m_projectNames = projectNames;
    endResetModel();
}

int EnvironmentTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_environments.size());
}

int EnvironmentTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 3;
}

QVariant EnvironmentTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Environment &environment = m_environments.at(index.row());
    if (role == Qt::TextAlignmentRole && index.column() == 2)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case 0:
        return m_projectNames.value(environment.projectId);
    case 1:
        return environment.name;
    case 2:
        return int(environment.serverIds.size());
    }
    return {};
}

QVariant EnvironmentTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case 0:
        return tr("Project");
    case 1:
        return tr("Environment");
    case 2:
        return tr("Servers");
    }
    return {};
}

Qt::ItemFlags EnvironmentTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDropEnabled;
}

QStringList EnvironmentTableModel::mimeTypes() const
{
    return {ServerIdsMime::mimeType()};
}

Qt::DropActions EnvironmentTableModel::supportedDropActions() const
{
    return Qt::CopyAction | Qt::MoveAction;
}

bool EnvironmentTableModel::canDropMimeData(const QMimeData *data, Qt::DropAction, int, int,
                                            const QModelIndex &parent) const
{
    return parent.isValid() && data && data->hasFormat(ServerIdsMime::mimeType());
}

bool EnvironmentTableModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                         const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    const QList<qint64> ids = ServerIdsMime::read(data);
    if (ids.isEmpty())
        return false;
    emit serversDropped(idAt(parent.row()), ids);
    // The pane saves the change and reloads; removeRows() is not implemented, so a move never lets
    // the drag source delete rows on its own.
    return true;
}

} // namespace rd
