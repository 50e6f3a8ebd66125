#include "hooktemplatetablemodel.h"

namespace rd {

QString HookTemplateTableModel::stageLabel(HookStage stage)
{
    switch (stage) {
    case HookStage::BeforeDownload:
        return tr("Before download");
    case HookStage::AfterDownload:
        return tr("After download (build)");
    case HookStage::BeforeRelease:
        return tr("Before release");
    case HookStage::AfterRelease:
        return tr("After release (restart)");
    }
    return {};
}

void HookTemplateTableModel::setHooks(const QList<HookTemplate> &hooks)
{
    beginResetModel();
    m_hooks = hooks;
    endResetModel();
}

int HookTemplateTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hooks.size());
}

int HookTemplateTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant HookTemplateTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const HookTemplate &hook = m_hooks.at(index.row());
    return index.column() == 0 ? hook.title : stageLabel(hook.stage);
}

QVariant HookTemplateTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? tr("Title") : tr("Stage");
}

} // namespace rd
