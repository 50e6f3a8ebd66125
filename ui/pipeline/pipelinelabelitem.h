#pragma once

#include <QColor>
#include <QGraphicsItem>

namespace rd {

// Text in the pipeline graph that is not a node: a server's name at the head of its lane (with a
// badge for canaries) or a group header in compact mode (with a colour swatch and a rule).
class PipelineLabelItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 2 };
    enum class Style {
        Lane,        // a framed chip, as wide as given
        CompactLane, // plain small text
        Header,      // bold text after a swatch, then a rule to the right edge
    };

    explicit PipelineLabelItem(Style style, QGraphicsItem *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    void setBadge(const QString &badge);
    void setSwatch(const QColor &color);
    void setStyle(Style style);
    void setSize(const QSizeF &size);

    // The width that shows `text` and `badge` whole in `style`, given the scene's font.
    static qreal idealWidth(Style style, const QFont &sceneFont, const QString &text, const QString &badge);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    static QFont textFont(Style style, const QFont &sceneFont);
    static QFont badgeFont(Style style, const QFont &sceneFont);
    static constexpr qreal FramePaddingLeft = 10;
    static constexpr qreal FramePaddingRight = 8;
    static constexpr qreal BadgeGap = 6;

    Style m_style;
    QString m_text;
    QString m_badge;
    QColor m_swatch;
    QSizeF m_size;
};

} // namespace rd
